<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>sy::ConnectDialog</name>
    <message>
        <source>Connect a client — Switchyard</source>
        <translation>连接客户端 — Switchyard</translation>
    </message>
    <message>
        <source>Apply to Claude Code&apos;s settings</source>
        <translation>应用到 Claude Code 的设置</translation>
    </message>
    <message>
        <source>Claude Code</source>
        <translation>Claude Code</translation>
    </message>
    <message>
        <source>optional: a model name the routing table knows</source>
        <translation>可选：路由表中已知的模型名称</translation>
    </message>
    <message>
        <source>Opus model:</source>
        <translation>Opus 模型：</translation>
    </message>
    <message>
        <source>Sonnet model:</source>
        <translation>Sonnet 模型：</translation>
    </message>
    <message>
        <source>Haiku model:</source>
        <translation>Haiku 模型：</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Apply to ~/.claude/settings.json</source>
        <translation>应用到 ~/.claude/settings.json</translation>
    </message>
    <message>
        <source>Sets only these keys in the &quot;env&quot; object of Claude Code&apos;s settings.json; a backup is written first.</source>
        <translation>只设置 Claude Code 的 settings.json 中 “env” 对象里的这些键；会先写入备份。</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Restores settings.json from the newest Switchyard backup.</source>
        <translation>从 Switchyard 最新的备份恢复 settings.json。</translation>
    </message>
    <message>
        <source>Codex CLI (~/.codex/config.toml)</source>
        <translation>Codex CLI（~/.codex/config.toml）</translation>
    </message>
    <message>
        <source>Gemini CLI</source>
        <translation>Gemini CLI</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>已复制到剪贴板。</translation>
    </message>
    <message>
        <source>Set these keys in the &quot;env&quot; object of %1?

%2

Everything else in the file stays as it is; a backup is written first and Undo restores it.</source>
        <translation>要在 %1 的 “env” 对象中设置这些键吗？

%2

文件中的其他内容保持不变；会先写入备份，可用“撤销”恢复。</translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation>未应用：%1</translation>
    </message>
    <message>
        <source>Applied to %1. Restart Claude Code to use it.</source>
        <translation>已应用到 %1。请重启 Claude Code 以生效。</translation>
    </message>
    <message>
        <source>Cannot undo: %1</source>
        <translation>无法撤销：%1</translation>
    </message>
    <message>
        <source>Restored %1 from the backup.</source>
        <translation>已从备份恢复 %1。</translation>
    </message>
</context>
<context>
    <name>sy::DashboardWindow</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>(unknown)</source>
        <translation>（未知）</translation>
    </message>
    <message>
        <source>Switchyard — Usage</source>
        <translation>Switchyard — 用量</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>自定义…</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供方</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation>范围(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Stack by:</source>
        <translation>堆叠依据(&amp;S)：</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Latency p50 / p95</source>
        <translation>延迟 p50 / p95</translation>
    </message>
    <message>
        <source>Cost (USD)</source>
        <translation>费用（美元）</translation>
    </message>
    <message>
        <source>Requests and errors</source>
        <translation>请求与错误</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>&amp;Breakdown by:</source>
        <translation>细分依据(&amp;B)：</translation>
    </message>
    <message>
        <source>The usage log is not available</source>
        <translation>用量日志不可用</translation>
    </message>
    <message>
        <source>The usage database could not be opened, so there is nothing to show. Switchyard&apos;s log says why.</source>
        <translation>无法打开用量数据库，因此没有可显示的内容。原因请查看 Switchyard 的日志。</translation>
    </message>
    <message>
        <source>No requests yet in this range</source>
        <translation>此范围内还没有请求</translation>
    </message>
    <message>
        <source>Point Claude Code, Codex or Gemini CLI at Switchyard and they will show up here.</source>
        <translation>将 Claude Code、Codex 或 Gemini CLI 指向 Switchyard，请求就会显示在这里。</translation>
    </message>
    <message>
        <source>Or pick a longer range above.</source>
        <translation>或在上方选择更长的范围。</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>%1 (%2 %)</source>
        <translation>%1（%2%）</translation>
    </message>
    <message>
        <source>Input: %1
Output: %2
Cache read: %3
Cache write: %4</source>
        <translation>输入：%1
输出：%2
缓存读取：%3
缓存写入：%4</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Cost (USD), excluding %1 unpriced requests</source>
        <translation>费用（美元），不含 %1 个无价格的请求</translation>
    </message>
</context>
<context>
    <name>sy::RequestLogWindow</name>
    <message>
        <source>Request log — Switchyard</source>
        <translation>请求日志 — Switchyard</translation>
    </message>
    <message>
        <source>Filter by model, provider, client, status or error</source>
        <translation>按模型、提供方、客户端、状态或错误筛选</translation>
    </message>
    <message>
        <source>Select a request to see its attempts and its error.</source>
        <translation>选择一个请求以查看其尝试记录和错误。</translation>
    </message>
    <message>
        <source>Usage logging is off: only requests made while this window is open are shown.</source>
        <translation>用量日志已关闭：只显示此窗口打开期间的请求。</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s)</source>
        <translation>
            <numerusform>%n 个请求</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n request(s)</source>
        <translation>
            <numerusform>%n 个请求中的 %1 个</numerusform>
        </translation>
    </message>
    <message>
        <source>Request</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Dialect</source>
        <translation>协议</translation>
    </message>
    <message>
        <source> (streaming)</source>
        <translation>（流式）</translation>
    </message>
    <message>
        <source>Requested model</source>
        <translation>请求的模型</translation>
    </message>
    <message>
        <source>Provider/model</source>
        <translation>提供方/模型</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>input %1, cache read %2, cache write %3, output %4, reasoning %5</source>
        <translation>输入 %1，缓存读取 %2，缓存写入 %3，输出 %4，推理 %5</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>first byte %1, total %2</source>
        <translation>首字节 %1，总计 %2</translation>
    </message>
    <message>
        <source>Attempts (%1)</source>
        <translation>尝试（%1）</translation>
    </message>
    <message>
        <source>No upstream attempt (answered by the gateway).</source>
        <translation>没有上游尝试（由网关直接应答）。</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供方</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Credential</source>
        <translation>凭据</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Model → provider/model</source>
        <translation>模型 → 提供方/模型</translation>
    </message>
    <message>
        <source>Tokens in/out</source>
        <translation>令牌 输入/输出</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
</context>
<context>
    <name>sy::RouteTableModel</name>
    <message>
        <source>Model pattern</source>
        <translation>模型模式</translation>
    </message>
    <message>
        <source>Conditions</source>
        <translation>条件</translation>
    </message>
    <message>
        <source>Targets (fallback chain)</source>
        <translation>目标（回退链）</translation>
    </message>
</context>
<context>
    <name>sy::SettingsDialog</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>Switchyard Settings</source>
        <translation>Switchyard 设置</translation>
    </message>
    <message>
        <source>Providers</source>
        <translation>提供方</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Anthropic Messages</source>
        <translation>Anthropic Messages</translation>
    </message>
    <message>
        <source>OpenAI Chat Completions</source>
        <translation>OpenAI Chat Completions</translation>
    </message>
    <message>
        <source>OpenAI Responses</source>
        <translation>OpenAI Responses</translation>
    </message>
    <message>
        <source>Google Gemini</source>
        <translation>Google Gemini</translation>
    </message>
    <message>
        <source>Round robin (default)</source>
        <translation>轮询（默认）</translation>
    </message>
    <message>
        <source>Fill first</source>
        <translation>优先填满</translation>
    </message>
    <message>
        <source>Least used</source>
        <translation>最少使用</translation>
    </message>
    <message>
        <source>Sticky per conversation</source>
        <translation>按会话固定</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Context window</source>
        <translation>上下文窗口</translation>
    </message>
    <message>
        <source>Output limit</source>
        <translation>输出上限</translation>
    </message>
    <message>
        <source>Add model</source>
        <translation>添加模型</translation>
    </message>
    <message>
        <source>Remove model</source>
        <translation>移除模型</translation>
    </message>
    <message>
        <source>Remove credential</source>
        <translation>移除凭据</translation>
    </message>
    <message>
        <source>Paste an API key to add it to the pool (kept in the keychain)</source>
        <translation>粘贴 API 密钥以加入凭据池（保存在钥匙串中）</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>ID:</source>
        <translation>ID：</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Base URL:</source>
        <translation>基础 URL：</translation>
    </message>
    <message>
        <source>Models:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Credentials:</source>
        <translation>凭据：</translation>
    </message>
    <message>
        <source>Add API key:</source>
        <translation>添加 API 密钥：</translation>
    </message>
    <message>
        <source>Pool strategy:</source>
        <translation>凭据池策略：</translation>
    </message>
    <message>
        <source>Account %1</source>
        <translation>账户 %1</translation>
    </message>
    <message>
        <source>Every %1 account</source>
        <translation>所有 %1 账户</translation>
    </message>
    <message>
        <source>API key from %1</source>
        <translation>来自 %1 的 API 密钥</translation>
    </message>
    <message>
        <source>API key written in the config file</source>
        <translation>写在配置文件中的 API 密钥</translation>
    </message>
    <message>
        <source>The gateway is not running; start it to test.</source>
        <translation>网关未运行；请先启动再测试。</translation>
    </message>
    <message>
        <source>Add a model to test this provider.</source>
        <translation>请添加一个模型以测试此提供方。</translation>
    </message>
    <message>
        <source>The running gateway does not know &quot;%1&quot; yet; save first.</source>
        <translation>运行中的网关还不知道 “%1”；请先保存。</translation>
    </message>
    <message>
        <source>Testing %1/%2…</source>
        <translation>正在测试 %1/%2…</translation>
    </message>
    <message>
        <source>Failed after %1 ms: %2</source>
        <translation>%1 毫秒后失败：%2</translation>
    </message>
    <message>
        <source>OK: HTTP %1 in %2 ms</source>
        <translation>成功：HTTP %1，用时 %2 毫秒</translation>
    </message>
    <message>
        <source>Failed: HTTP %1 in %2 ms: %3</source>
        <translation>失败：HTTP %1，用时 %2 毫秒：%3</translation>
    </message>
    <message>
        <source>Rules are tried from the top; the first whose pattern and conditions match decides. Targets are a fallback chain such as &quot;deepseek/deepseek-chat -&gt; anthropic/*&quot;. Conditions: thinking=true; tokens_over=150000; has_images=true; tools_include=web_search; client=claude-code.</source>
        <translation>规则从上到下依次尝试；第一条模式和条件都匹配的规则生效。目标是一条回退链，例如 “deepseek/deepseek-chat -&gt; anthropic/*”。条件：thinking=true; tokens_over=150000; has_images=true; tools_include=web_search; client=claude-code。</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Try a model name, e.g. claude-sonnet-4-5</source>
        <translation>试一个模型名称，例如 claude-sonnet-4-5</translation>
    </message>
    <message>
        <source>Try a model name</source>
        <translation>试一个模型名称</translation>
    </message>
    <message>
        <source>The settings are not valid yet: %1</source>
        <translation>设置尚无效：%1</translation>
    </message>
    <message>
        <source>No rule matches: %1</source>
        <translation>没有匹配的规则：%1</translation>
    </message>
    <message>
        <source>Rule %1 (match &quot;%2&quot;) → %3</source>
        <translation>规则 %1（匹配 “%2”）→ %3</translation>
    </message>
    <message>
        <source>Named directly (%1) → %2</source>
        <translation>直接指定（%1）→ %2</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Label / email</source>
        <translation>名称 / 邮箱</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>套餐</translation>
    </message>
    <message>
        <source>Quota</source>
        <translation>配额</translation>
    </message>
    <message>
        <source>Cooldown</source>
        <translation>冷却</translation>
    </message>
    <message>
        <source>ChatGPT (Codex)</source>
        <translation>ChatGPT（Codex）</translation>
    </message>
    <message>
        <source>Claude</source>
        <translation>Claude</translation>
    </message>
    <message>
        <source>Google (Gemini Code Assist)</source>
        <translation>Google（Gemini Code Assist）</translation>
    </message>
    <message>
        <source>Log in…</source>
        <translation>登录…</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Codex CLI login</source>
        <translation>Codex CLI 登录</translation>
    </message>
    <message>
        <source>Claude Code login</source>
        <translation>Claude Code 登录</translation>
    </message>
    <message>
        <source>Gemini CLI login</source>
        <translation>Gemini CLI 登录</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供方</translation>
    </message>
    <message>
        <source>Credential</source>
        <translation>凭据</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>最近错误</translation>
    </message>
    <message>
        <source>Subscription logins</source>
        <translation>订阅登录</translation>
    </message>
    <message>
        <source>Every credential of the running gateway</source>
        <translation>运行中网关的所有凭据</translation>
    </message>
    <message>
        <source>Accounts are not available: the secret store is not open.</source>
        <translation>账户不可用：密钥存储未打开。</translation>
    </message>
    <message>
        <source>Before you continue</source>
        <translation>继续之前</translation>
    </message>
    <message>
        <source>Unknown login provider &quot;%1&quot;.</source>
        <translation>未知的登录提供方 “%1”。</translation>
    </message>
    <message>
        <source>Finish the login in your browser. If no browser opened, open &lt;a href=&quot;%1&quot;&gt;this link&lt;/a&gt;.</source>
        <translation>请在浏览器中完成登录。如果浏览器没有打开，请打开&lt;a href=&quot;%1&quot;&gt;此链接&lt;/a&gt;。</translation>
    </message>
    <message>
        <source>Signed in; reading the account…</source>
        <translation>已登录；正在读取账户…</translation>
    </message>
    <message>
        <source>Added %1.</source>
        <translation>已添加 %1。</translation>
    </message>
    <message>
        <source>Login failed: %1</source>
        <translation>登录失败：%1</translation>
    </message>
    <message>
        <source>Starting the login…</source>
        <translation>正在开始登录…</translation>
    </message>
    <message>
        <source>Remove the account %1 and its stored tokens?</source>
        <translation>要移除账户 %1 及其保存的令牌吗？</translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation>已移除 %1。</translation>
    </message>
    <message>
        <source>Could not remove %1: %2</source>
        <translation>无法移除 %1：%2</translation>
    </message>
    <message>
        <source>Import failed: %1</source>
        <translation>导入失败：%1</translation>
    </message>
    <message>
        <source>Imported %1.</source>
        <translation>已导入 %1。</translation>
    </message>
    <message>
        <source>Client ID</source>
        <translation>客户端 ID</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Clients must present one of these keys. Type a new key to keep it in the keychain, or enter env:NAME.</source>
        <translation>客户端必须提供其中一个密钥。输入新密钥会将其保存在钥匙串中，也可以输入 env:NAME。</translation>
    </message>
    <message>
        <source>Add key</source>
        <translation>添加密钥</translation>
    </message>
    <message>
        <source>Remove key</source>
        <translation>移除密钥</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Debug</source>
        <translation>调试</translation>
    </message>
    <message>
        <source>Warnings only</source>
        <translation>仅警告</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Listen on:</source>
        <translation>监听地址：</translation>
    </message>
    <message>
        <source>Gateway keys:</source>
        <translation>网关密钥：</translation>
    </message>
    <message>
        <source>Log level:</source>
        <translation>日志级别：</translation>
    </message>
    <message>
        <source>Keep usage for:</source>
        <translation>用量保留时长：</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>The language applies the next time Switchyard starts.</source>
        <translation>语言将在下次启动 Switchyard 时生效。</translation>
    </message>
    <message>
        <source>(written in the config file)</source>
        <translation>（写在配置文件中）</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <source>Not saved: keys can only be kept when the secret store is open.</source>
        <translation>未保存：只有在密钥存储打开时才能保存密钥。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Not saved: the keychain refused a key (%1)</source>
        <translation>未保存：钥匙串拒绝了一个密钥（%1）</translation>
    </message>
</context>
<context>
    <name>sy::StatusWindow</name>
    <message>
        <source>Switchyard</source>
        <translation>Switchyard</translation>
    </message>
</context>
<context>
    <name>sy::TrayController</name>
    <message>
        <source>&amp;Dashboard</source>
        <translation>仪表盘(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Request log</source>
        <translation>请求日志(&amp;R)</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>设置(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Connect a coding CLI…</source>
        <translation>连接编程 CLI(&amp;C)…</translation>
    </message>
    <message>
        <source>Copy Claude Code &amp;setup</source>
        <translation>复制 Claude Code 配置(&amp;S)</translation>
    </message>
    <message>
        <source>Start at &amp;login</source>
        <translation>登录时启动(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Switchyard</source>
        <translation>Switchyard</translation>
    </message>
    <message>
        <source>The Claude Code setup was copied to the clipboard.</source>
        <translation>Claude Code 配置已复制到剪贴板。</translation>
    </message>
    <message>
        <source>Cannot change the autostart entry: %1</source>
        <translation>无法更改自动启动项：%1</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <source>Today: usage is not logged</source>
        <translation>今天：未记录用量</translation>
    </message>
    <message>
        <source>Today: no requests</source>
        <translation>今天：没有请求</translation>
    </message>
    <message>
        <source>cost unknown</source>
        <translation>费用未知</translation>
    </message>
    <message numerus="yes">
        <source>%1 + %n without a price</source>
        <translation>
            <numerusform>%1 + %n 个无价格</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Today: %n request(s), %1</source>
        <translation>
            <numerusform>今天：%n 个请求，%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Running on %1</source>
        <translation>运行于 %1</translation>
    </message>
    <message>
        <source>Stopped: %1</source>
        <translation>已停止：%1</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <source>&amp;Stop gateway</source>
        <translation>停止网关(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Start gateway</source>
        <translation>启动网关(&amp;S)</translation>
    </message>
    <message>
        <source>An account needs a new login (Settings → Accounts).</source>
        <translation>有账户需要重新登录（设置 → 账户）。</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
</context>
<context>
    <name>sy::UsageChartView</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1
%2: %3</source>
        <translation>%1
%2：%3</translation>
    </message>
</context>
<context>
    <name>sy::UsageTableModel</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Unpriced requests: %1. Their models have no known price, so they are not included in the cost; add prices in the config&apos;s &quot;pricing&quot; section.</source>
        <translation>无价格的请求：%1。这些模型没有已知价格，因此不计入费用；请在配置的 “pricing” 部分添加价格。</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n unpriced)</source>
        <translation>
            <numerusform>%1（%n 个无价格）</numerusform>
        </translation>
    </message>
    <message>
        <source>(unknown)</source>
        <translation>（未知）</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Error %</source>
        <translation>错误率 %</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Cache read</source>
        <translation>缓存读取</translation>
    </message>
    <message>
        <source>Cache write</source>
        <translation>缓存写入</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>p50 ms</source>
        <translation>p50 毫秒</translation>
    </message>
    <message>
        <source>p95 ms</source>
        <translation>p95 毫秒</translation>
    </message>
</context>
</TS>
