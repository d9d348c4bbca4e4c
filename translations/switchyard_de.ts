<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>sy::ConnectDialog</name>
    <message>
        <source>Connect a client — Switchyard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply to Claude Code&apos;s settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claude Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional: a model name the routing table knows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opus model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sonnet model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Haiku model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply to ~/.claude/settings.json</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sets only these keys in the &quot;env&quot; object of Claude Code&apos;s settings.json; a backup is written first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restores settings.json from the newest Switchyard backup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Codex CLI (~/.codex/config.toml)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gemini CLI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set these keys in the &quot;env&quot; object of %1?

%2

Everything else in the file stays as it is; a backup is written first and Undo restores it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applied to %1. Restart Claude Code to use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot undo: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restored %1 from the backup.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sy::DashboardWindow</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>(unknown)</source>
        <translation>(unbekannt)</translation>
    </message>
    <message>
        <source>Switchyard — Usage</source>
        <translation>Switchyard – Nutzung</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>Benutzerdefiniert…</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>Nutzung</translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation>&amp;Zeitraum:</translation>
    </message>
    <message>
        <source>&amp;Stack by:</source>
        <translation>&amp;Stapeln nach:</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Kosten</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Latency p50 / p95</source>
        <translation>Latenz p50 / p95</translation>
    </message>
    <message>
        <source>Cost (USD)</source>
        <translation>Kosten (USD)</translation>
    </message>
    <message>
        <source>Requests and errors</source>
        <translation>Anfragen und Fehler</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>&amp;Breakdown by:</source>
        <translation>&amp;Aufschlüsseln nach:</translation>
    </message>
    <message>
        <source>The usage log is not available</source>
        <translation>Das Nutzungsprotokoll ist nicht verfügbar</translation>
    </message>
    <message>
        <source>The usage database could not be opened, so there is nothing to show. Switchyard&apos;s log says why.</source>
        <translation>Die Nutzungsdatenbank konnte nicht geöffnet werden, daher gibt es nichts anzuzeigen. Den Grund nennt das Protokoll von Switchyard.</translation>
    </message>
    <message>
        <source>No requests yet in this range</source>
        <translation>Noch keine Anfragen in diesem Zeitraum</translation>
    </message>
    <message>
        <source>Point Claude Code, Codex or Gemini CLI at Switchyard and they will show up here.</source>
        <translation>Richten Sie Claude Code, Codex oder Gemini CLI auf Switchyard aus, dann erscheinen die Anfragen hier.</translation>
    </message>
    <message>
        <source>Or pick a longer range above.</source>
        <translation>Oder wählen Sie oben einen längeren Zeitraum.</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>k. A.</translation>
    </message>
    <message>
        <source>%1 (%2 %)</source>
        <translation>%1 (%2 %)</translation>
    </message>
    <message>
        <source>Input: %1
Output: %2
Cache read: %3
Cache write: %4</source>
        <translation>Eingabe: %1
Ausgabe: %2
Cache gelesen: %3
Cache geschrieben: %4</translation>
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
        <translation>Sonstige</translation>
    </message>
    <message>
        <source>Cost (USD), excluding %1 unpriced requests</source>
        <translation>Kosten (USD), ohne %1 Anfragen ohne Preis</translation>
    </message>
</context>
<context>
    <name>sy::RequestLogWindow</name>
    <message>
        <source>Request log — Switchyard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by model, provider, client, status or error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a request to see its attempts and its error.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage logging is off: only requests made while this window is open are shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n request(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n request(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished">Client</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dialect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (streaming)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requested model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Provider/model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished">Konto</translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation type="unfinished">Tokens</translation>
    </message>
    <message>
        <source>input %1, cache read %2, cache write %3, output %4, reasoning %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost</source>
        <translation type="unfinished">Kosten</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation type="unfinished">Latenz</translation>
    </message>
    <message>
        <source>first byte %1, total %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempts (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No upstream attempt (answered by the gateway).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>#</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Provider</source>
        <translation type="unfinished">Anbieter</translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished">Modell</translation>
    </message>
    <message>
        <source>Credential</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model → provider/model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens in/out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>n/a</source>
        <translation type="unfinished">k. A.</translation>
    </message>
</context>
<context>
    <name>sy::RouteTableModel</name>
    <message>
        <source>Model pattern</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conditions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Targets (fallback chain)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sy::SettingsDialog</name>
    <message>
        <source>%1 s</source>
        <translation type="unfinished">%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switchyard Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Providers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Routing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Anthropic Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OpenAI Chat Completions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OpenAI Responses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Google Gemini</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Round robin (default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Least used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sticky per conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished">Modell</translation>
    </message>
    <message>
        <source>Context window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove credential</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste an API key to add it to the pool (kept in the keychain)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Credentials:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add API key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pool strategy:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every %1 account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key written in the config file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The gateway is not running; start it to test.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a model to test this provider.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The running gateway does not know &quot;%1&quot; yet; save first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing %1/%2…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed after %1 ms: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK: HTTP %1 in %2 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: HTTP %1 in %2 ms: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rules are tried from the top; the first whose pattern and conditions match decides. Targets are a fallback chain such as &quot;deepseek/deepseek-chat -&gt; anthropic/*&quot;. Conditions: thinking=true; tokens_over=150000; has_images=true; tools_include=web_search; client=claude-code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try a model name, e.g. claude-sonnet-4-5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try a model name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings are not valid yet: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No rule matches: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule %1 (match &quot;%2&quot;) → %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Named directly (%1) → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished">Konto</translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label / email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cooldown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ChatGPT (Codex)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claude</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Google (Gemini Code Assist)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Codex CLI login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claude Code login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gemini CLI login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Provider</source>
        <translation type="unfinished">Anbieter</translation>
    </message>
    <message>
        <source>Credential</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subscription logins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every credential of the running gateway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts are not available: the secret store is not open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before you continue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown login provider &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finish the login in your browser. If no browser opened, open &lt;a href=&quot;%1&quot;&gt;this link&lt;/a&gt;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in; reading the account…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the login…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the account %1 and its stored tokens?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not remove %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clients must present one of these keys. Type a new key to keep it in the keychain, or enter env:NAME.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Debug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warnings only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen on:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gateway keys:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log level:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep usage for:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The language applies the next time Switchyard starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(written in the config file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved: keys can only be kept when the secret store is open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished">%1
%2: %2 {1:?}</translation>
    </message>
    <message>
        <source>Not saved: the keychain refused a key (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sy::StatusWindow</name>
    <message>
        <source>Switchyard</source>
        <translation type="unfinished">Switchyard</translation>
    </message>
</context>
<context>
    <name>sy::TrayController</name>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Stop gateway</source>
        <translation>Gateway &amp;stoppen</translation>
    </message>
    <message>
        <source>&amp;Start gateway</source>
        <translation>Gateway &amp;starten</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>Stopped: %1</source>
        <translation>Gestoppt: %1</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>Warnung: %1</translation>
    </message>
    <message>
        <source>&amp;Dashboard</source>
        <translation>&amp;Dashboard</translation>
    </message>
    <message>
        <source>Switchyard</source>
        <translation>Switchyard</translation>
    </message>
    <message>
        <source>&amp;Request log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect a coding CLI…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy Claude Code &amp;setup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start at &amp;login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Claude Code setup was copied to the clipboard.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot change the autostart entry: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today: usage is not logged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today: no requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cost unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 + %n without a price</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Today: %n request(s), %1</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Running on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An account needs a new login (Settings → Accounts).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sy::UsageChartView</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1
%2: %3</source>
        <translation>%1
%2: %3</translation>
    </message>
</context>
<context>
    <name>sy::UsageTableModel</name>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Unpriced requests: %1. Their models have no known price, so they are not included in the cost; add prices in the config&apos;s &quot;pricing&quot; section.</source>
        <translation>Anfragen ohne Preis: %1. Für ihre Modelle ist kein Preis bekannt, daher fehlen sie in den Kosten; Preise lassen sich im Abschnitt „pricing“ der Konfiguration eintragen.</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>k. A.</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n unpriced)</source>
        <translation>
            <numerusform>%1 (%n ohne Preis)</numerusform>
            <numerusform>%1 (%n ohne Preis)</numerusform>
        </translation>
    </message>
    <message>
        <source>(unknown)</source>
        <translation>(unbekannt)</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Error %</source>
        <translation>Fehler %</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Cache read</source>
        <translation>Cache gelesen</translation>
    </message>
    <message>
        <source>Cache write</source>
        <translation>Cache geschrieben</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Kosten</translation>
    </message>
    <message>
        <source>p50 ms</source>
        <translation>p50 ms</translation>
    </message>
    <message>
        <source>p95 ms</source>
        <translation>p95 ms</translation>
    </message>
</context>
</TS>
