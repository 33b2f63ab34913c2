{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<p class="meta">{{FROM}} 至 {{TO}}（{{DAYS}} 天）· 全部复用率 <span id="all-rate">{{ALL_RATE}}</span> · 目标 <span id="target">{{TARGET}}</span> · 低于目标的事项和一件事 <span id="below-count">{{BELOW_COUNT}}</span> 个</p>
<form method="get" action="/reuse" class="card">
<label>统计天数 <select name="days" id="days">
{{#DAY_OPTIONS}}<option value="{{N}}"{{#SELECTED}} selected{{/SELECTED}}>最近 {{N}} 天</option>
{{/DAY_OPTIONS}}</select></label>
<button type="submit" id="days-submit">查看</button>
</form>
<p class="hint">复用率 = 预填字段数 ÷ 请求字段数（来自登记系统的复用台账）。每根柱为一天；红色柱低于目标。</p>
{{>OVERALL_CHART}}
<table id="reuse">
<thead><tr><th>类别</th><th>事项或一件事</th><th>服务表单</th><th>请求字段</th><th>已预填</th><th>新采集</th><th>复用率</th><th>每日复用率</th></tr></thead>
<tbody>
{{#FORMS}}<tr id="reuse-{{FORM}}" class="{{#BELOW}}below{{/BELOW}}{{#UNUSED}}unused{{/UNUSED}}">
<td>{{KIND}}</td>
<td>{{FORM_TITLE}}<br><span class="code">{{FORM}}</span></td>
<td>{{SERVED}}</td><td>{{REQUESTED}}</td><td>{{PREFILLED}}</td><td>{{COLLECTED}}</td>
<td>{{RATE}}{{#BELOW}} <span class="tag below">低于目标</span>{{/BELOW}}</td>
<td>{{>CHART}}</td>
</tr>
{{/FORMS}}
</tbody>
</table>
{{>FOOTER}}
