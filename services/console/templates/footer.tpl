{{%AUTOESCAPE context="HTML"}}</main>
<footer>本页所示个人信息的每次查看均由登记系统记录。本地模式，仅限本机访问。</footer>
</body>
</html>
