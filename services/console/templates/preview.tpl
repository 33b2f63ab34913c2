{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<p class="meta">{{FORM_TITLE}}（{{FORM}}） · 档案 {{SUBJECT}} · 预填 {{PREFILLED}}/{{REQUESTED}}</p>
<form method="get" action="/preview" class="inline">
<input type="hidden" name="s" value="{{SUBJECT}}">
<select name="form">
{{#FORMS}}<option value="{{NAME}}"{{#SELECTED}} selected{{/SELECTED}}>{{TITLE}}</option>
{{/FORMS}}
</select>
<button type="submit">预览</button>
</form>
<table id="preview">
<thead><tr><th>表单项</th><th>字段</th><th>状态</th><th>值</th><th>来源</th><th>必填</th></tr></thead>
<tbody>
{{#FIELDS}}<tr id="prefill-{{FIELD}}" class="state-{{STATE_CODE}}">
<td>{{LABEL}}（{{KEY}}）</td><td class="code">{{FIELD}}</td><td class="state">{{STATE}}</td>
<td class="value">{{VALUE}}</td><td>{{SOURCE}}</td><td>{{#REQUIRED}}是{{/REQUIRED}}</td>
</tr>
{{/FIELDS}}
</tbody>
</table>
<p><a href="/file?s={{SUBJECT}}">返回档案</a></p>
{{>FOOTER}}
