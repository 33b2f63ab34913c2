{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<form method="post" action="/find" autocomplete="off" class="card">
<input type="hidden" name="csrf" value="{{CSRF}}">
<p><label>公民身份号码 <input type="text" name="id_number" id="id_number" maxlength="18" autocomplete="off"></label>
或 档案名称 <input type="text" name="subject" id="subject" placeholder="enterprises/… 或 persons/…"></p>
<p><label>办理事项或一件事
<select name="matter" id="matter">
{{#FORMS}}<option value="{{NAME}}"{{#SELECTED}} selected{{/SELECTED}}>{{TITLE}}（{{NAME}}）</option>
{{/FORMS}}
</select></label></p>
<p><label>办件编号 <input type="text" name="case_id" id="case_id" maxlength="128" value="{{CASE_ID}}"></label></p>
<button type="submit" id="find">查找</button>
</form>
<p class="hint">身份证号码只通过本表单提交，不出现在网址、日志或浏览记录中。</p>
{{>FOOTER}}
