{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<p class="meta">档案 <span id="subject-name">{{SUBJECT}}</span> · 第 {{REVISION}} 版 · 事项 {{MATTER}}{{#HAS_CASE}} · 办件 {{CASE_ID}}{{/HAS_CASE}}</p>
<p class="links"><a href="/preview?s={{SUBJECT}}&amp;form={{MATTER}}" id="preview-link">预填预览</a>
<a href="/access?s={{SUBJECT}}" id="access-link">谁查看了这些数据</a>
<a href="/disputes?s={{SUBJECT}}">本档案的异议</a></p>
<table id="file">
<thead><tr><th>字段</th><th>值</th><th>来源</th><th>入库时间</th><th>事项</th><th>状态</th><th>异议</th></tr></thead>
<tbody>
{{#FIELDS}}<tr id="field-{{FIELD}}">
<td>{{LABEL}}<br><span class="code">{{FIELD}}</span></td>
<td class="value">{{VALUE}}</td>
<td>{{SOURCE}}</td>
<td>{{COMMITTED}}</td>
<td>{{FIELD_MATTER}}</td>
<td>{{#MASKED}}<span class="tag">已掩码</span>{{/MASKED}}{{#CONTESTED}}<span class="tag contested">异议中</span>{{/CONTESTED}}</td>
<td>{{#CAN_DISPUTE}}<form method="post" action="/disputes/open" class="dispute">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="subject" value="{{SUBJECT}}">
<input type="hidden" name="field" value="{{FIELD}}">
<input type="text" name="reason" placeholder="异议理由" maxlength="500" required>
<button type="submit" id="dispute-{{FIELD}}">提出异议</button>
</form>{{/CAN_DISPUTE}}</td>
</tr>
{{/FIELDS}}
</tbody>
</table>
{{#HAS_WITHHELD}}<p class="hint">本事项无权查看的字段：{{WITHHELD}}</p>{{/HAS_WITHHELD}}
{{>FOOTER}}
