{{%AUTOESCAPE context="HTML"}}{{>HEADER}}
<p><a href="/find">返回查找</a></p>
{{>FOOTER}}
