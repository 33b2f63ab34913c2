{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<p class="meta">档案 {{SUBJECT}} 的数据查看记录（最近 {{COUNT}} 条），可打印交给申请人。</p>
<table id="access">
<thead><tr><th>时间</th><th>查看方</th><th>经由</th><th>事项</th><th>办件</th><th>明文字段</th><th>掩码字段</th></tr></thead>
<tbody>
{{#EVENTS}}<tr><td>{{TIME}}</td><td>{{PRINCIPAL}}</td><td>{{VIA}}</td><td>{{PURPOSE}}</td><td>{{CASE_ID}}</td><td>{{FIELDS}}</td><td>{{MASKED}}</td></tr>
{{/EVENTS}}
</tbody>
</table>
<p><a href="/file?s={{SUBJECT}}">返回档案</a></p>
{{>FOOTER}}
