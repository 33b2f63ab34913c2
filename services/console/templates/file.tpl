{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<p class="meta">档案 <span id="subject-name">{{SUBJECT}}</span> · 第 {{REVISION}} 版 · 事项 {{MATTER}}{{#HAS_CASE}} · 办件 {{CASE_ID}}{{/HAS_CASE}}</p>
<p class="links"><a href="/preview?s={{SUBJECT}}&amp;form={{MATTER}}" id="preview-link">预填预览</a>
<a href="/access?s={{SUBJECT}}" id="access-link">谁查看了这些数据</a>
<a href="/disputes?s={{SUBJECT}}">本档案的异议</a></p>
<form method="get" action="/file" class="card asof" id="asof-form">
<input type="hidden" name="s" value="{{SUBJECT}}">
<label>查看某日的档案 <input type="date" name="asof" id="asof" value="{{ASOF}}"></label>
<label><select name="view" id="asof-view">
<option value="known">当日结束时登记系统所知</option>
<option value="valid"{{#VIEW_VALID}} selected{{/VIEW_VALID}}>当日有效（按生效日期）</option>
</select></label>
<button type="submit" id="asof-submit">查看</button>
{{#AS_OF}}<a href="/file?s={{SUBJECT}}" id="asof-current">回到当前档案</a>{{/AS_OF}}
</form>
{{#AS_OF}}<p class="notice" id="asof-note">这是 {{DATE}} 的档案：{{HOW}}。历史档案不能提出异议。</p>{{/AS_OF}}
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
<h3>字段变更历史</h3>
{{#HISTORY_ERROR}}<p class="error" id="history-error">{{MESSAGE}}（{{REASON}}）</p>{{/HISTORY_ERROR}}
{{#NO_HISTORY}}<p class="hint">没有可查看的变更记录。</p>{{/NO_HISTORY}}
{{#HISTORY_CUT}}<p class="hint">仅显示最近 200 次变更；更早的请用 registryctl record history 查询。</p>{{/HISTORY_CUT}}
<div class="timelines" id="timelines">
{{#TIMELINES}}<section class="timeline" id="history-{{FIELD}}">
<h4>{{LABEL}} <span class="code">{{FIELD}}</span></h4>
<ol>
{{#EVENTS}}<li><span class="when">{{TIME}}</span>
<span class="value">{{VALUE}}</span>{{#RETROACTIVE}} <span class="tag">追溯生效</span>{{/RETROACTIVE}}
<span class="meta">第 {{REVISION}} 版 · 来源 {{SOURCE}}{{#HAS_REASON}} · 原因 {{REASON}}{{/HAS_REASON}}</span>
<a href="/file?s={{SUBJECT}}&amp;asof={{DAY}}">当日档案</a></li>
{{/EVENTS}}
</ol>
</section>
{{/TIMELINES}}
</div>
{{>FOOTER}}
