{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<p>本地（不安全）模式：请选择以哪个登记身份操作。生产环境中以工作人员的客户端证书认证。</p>
<form method="post" action="/login">
<input type="hidden" name="csrf" value="{{CSRF}}">
<ul class="choices">
{{#PRINCIPALS}}<li><label><input type="radio" name="principal" value="{{IDENTITY}}"{{#CHECKED}} checked{{/CHECKED}}> {{LABEL}}</label></li>
{{/PRINCIPALS}}
</ul>
<button type="submit" id="login">进入</button>
</form>
{{>FOOTER}}
