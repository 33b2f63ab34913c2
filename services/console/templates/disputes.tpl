{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<p class="meta">{{SCOPE}}</p>
<table id="disputes">
<thead><tr><th>异议</th><th>字段</th><th>状态</th><th>承办部门</th><th>办理期限</th><th>提出方</th></tr></thead>
<tbody>
{{#DISPUTES}}<tr class="{{#OVERDUE}}overdue{{/OVERDUE}}">
<td><a href="/dispute?n={{NAME}}">{{NAME}}</a></td><td>{{FIELD}}</td><td class="state">{{STATE}}</td>
<td>{{DEPARTMENT}}</td><td>{{DECIDE_BY}}{{#OVERDUE}} <span class="tag overdue">已超期</span>{{/OVERDUE}}</td><td>{{OPENED_BY}}</td>
</tr>
{{/DISPUTES}}
</tbody>
</table>
{{#NONE}}<p id="empty">没有待办异议。</p>{{/NONE}}
{{>FOOTER}}
