{{%AUTOESCAPE context="HTML"}}<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{TITLE}} · 服务中心控制台</title>
<link rel="stylesheet" href="/static/console.css">
</head>
<body>
<header>
<h1>数据最多采一次 · 服务中心控制台</h1>
{{#SIGNED_IN}}
<nav>
<span class="who" id="who">当前身份：{{PRINCIPAL}}</span>
<a href="/find">查找档案</a>
<a href="/disputes">异议队列</a>
<a href="/notifications">更正通知</a>
<a href="/reuse" id="reuse-link">复用看板</a>
<form method="post" action="/logout" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}">
<button type="submit" id="logout">{{#CHOSEN}}切换身份{{/CHOSEN}}{{#CERTIFICATE}}退出{{/CERTIFICATE}}</button>
</form>
</nav>
{{/SIGNED_IN}}
</header>
<main>
<h2>{{TITLE}}</h2>
{{#ERROR}}<p class="error" id="error">{{MESSAGE}}{{#HAS_REASON}}（{{REASON}}）{{/HAS_REASON}}</p>{{/ERROR}}
{{#NOTICE}}<p class="notice" id="notice">{{MESSAGE}}</p>{{/NOTICE}}
