{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<form method="post" action="/find" autocomplete="off" class="card">
<input type="hidden" name="csrf" value="{{CSRF}}">
<p><label>公民身份号码 <input type="text" name="id_number" id="id_number" maxlength="18" autocomplete="off"></label>
或 <label>企业名称 <input type="text" name="enterprise_name" id="enterprise_name" maxlength="100" value="{{ENTERPRISE_NAME}}" placeholder="名称中的字词"></label>
或 <label>档案名称 <input type="text" name="subject" id="subject" placeholder="enterprises/… 或 persons/…"></label></p>
<p><label>办理事项或一件事
<select name="matter" id="matter">
{{#FORMS}}<option value="{{NAME}}"{{#SELECTED}} selected{{/SELECTED}}>{{TITLE}}（{{NAME}}）</option>
{{/FORMS}}
</select></label></p>
<p><label>办件编号 <input type="text" name="case_id" id="case_id" maxlength="128" value="{{CASE_ID}}"></label></p>
<button type="submit" id="find">查找</button>
</form>
{{#SEARCHED}}<section class="card" id="matches">
<h3>名称包含“{{ENTERPRISE_NAME}}”的企业</h3>
{{#NO_MATCH}}<p id="no-match">没有找到名称包含“{{ENTERPRISE_NAME}}”的企业{{#MORE}}（已查看一部分档案）{{/MORE}}。</p>{{/NO_MATCH}}
<ul>
{{#MATCHES}}<li><a href="/file?s={{SUBJECT}}">{{NAME}}</a> <span class="code">{{USCC}}</span></li>
{{/MATCHES}}
</ul>
{{#MORE}}<form method="post" action="/find" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="enterprise_name" value="{{ENTERPRISE_NAME}}">
<input type="hidden" name="matter" value="{{MATTER}}">
<input type="hidden" name="case_id" value="{{CASE_ID}}">
<input type="hidden" name="page_token" value="{{PAGE_TOKEN}}">
<button type="submit" id="more">继续查找</button>
</form>{{/MORE}}
</section>{{/SEARCHED}}
<p class="hint">身份证号码只通过本表单提交，不出现在网址、日志或浏览记录中。</p>
{{>FOOTER}}
