{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<p class="meta">{{PRINCIPAL_NAME}} 曾获取、后经异议更正的数据（通知不含任何值，请按事项重新读取）。</p>
<table id="notifications">
<thead><tr><th>档案</th><th>字段</th><th>更正变更集</th><th>最后获取时间</th><th>事项</th><th>异议</th></tr></thead>
<tbody>
{{#NOTICES}}<tr><td>{{SUBJECT}}</td><td>{{FIELD}}</td><td>{{CORRECTED_BY}}</td><td>{{LAST_SERVED}}</td><td>{{MATTER}}</td><td>{{DISPUTE}}</td></tr>
{{/NOTICES}}
</tbody>
</table>
{{#NONE}}<p id="empty">没有更正通知。</p>{{/NONE}}
{{>FOOTER}}
