{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<dl class="card" id="dispute">
<dt>异议</dt><dd id="dispute-name">{{NAME}}</dd>
<dt>档案</dt><dd><a href="/file?s={{SUBJECT}}">{{SUBJECT}}</a></dd>
<dt>字段</dt><dd>{{FIELD_LABEL}}（{{FIELD}}）</dd>
<dt>状态</dt><dd id="dispute-state">{{STATE}}</dd>
<dt>承办部门</dt><dd>{{DEPARTMENT}}</dd>
<dt>办理期限</dt><dd>{{DECIDE_BY}}{{#OVERDUE}} <span class="tag overdue">已超期</span>{{/OVERDUE}}</dd>
<dt>事项 / 办件</dt><dd>{{MATTER}} / {{CASE_ID}}</dd>
{{#CORRECTED}}<dt>更正变更集</dt><dd>{{CORRECTED_BY}}（通知 {{NOTIFIED}} 个审批系统）</dd>{{/CORRECTED}}
</dl>
<h3>办理过程</h3>
<table id="steps">
<thead><tr><th>时间</th><th>状态</th><th>操作方</th><th>经办人</th><th>理由</th></tr></thead>
<tbody>
{{#STEPS}}<tr><td>{{TIME}}</td><td>{{STATE}}</td><td>{{PRINCIPAL}}</td><td>{{OPERATOR}}</td><td>{{REASON}}</td></tr>
{{/STEPS}}
</tbody>
</table>
{{#CAN_DECIDE}}
<h3>裁决</h3>
<form method="post" action="/disputes/correct" class="card">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="name" value="{{NAME}}">
<input type="hidden" name="etag" value="{{ETAG}}">
<p><label>更正后的值 <input type="text" name="value" id="corrected-value" maxlength="500" required></label></p>
<p><label>来源 <input type="text" name="source" value="{{DEPARTMENT}}" maxlength="128"></label></p>
<p><label>理由 <input type="text" name="reason" id="correct-reason" maxlength="500" required></label></p>
<button type="submit" id="correct">更正</button>
</form>
<form method="post" action="/disputes/uphold" class="card">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="name" value="{{NAME}}">
<input type="hidden" name="etag" value="{{ETAG}}">
<p><label>维持原值的理由 <input type="text" name="reason" maxlength="500" required></label></p>
<button type="submit" id="uphold">维持</button>
</form>
{{/CAN_DECIDE}}
{{#CAN_WITHDRAW}}
<form method="post" action="/disputes/withdraw" class="card">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="name" value="{{NAME}}">
<input type="hidden" name="etag" value="{{ETAG}}">
<p><label>撤回理由 <input type="text" name="reason" maxlength="500"></label></p>
<button type="submit" id="withdraw">代申请人撤回</button>
</form>
{{/CAN_WITHDRAW}}
{{>FOOTER}}
