{{%AUTOESCAPE context="HTML"}}</main>
<footer>本页所示个人信息的每次查看均由登记系统记录。{{#CHOSEN}}本地模式，仅限本机访问。{{/CHOSEN}}{{#CERTIFICATE}}身份由浏览器的客户端证书确认。{{/CERTIFICATE}}</footer>
</body>
</html>
