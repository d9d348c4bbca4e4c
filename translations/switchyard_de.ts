<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>sy::ConnectDialog</name>
    <message>
        <source>Connect a client — Switchyard</source>
        <translation>Client verbinden – Switchyard</translation>
    </message>
    <message>
        <source>Apply to Claude Code&apos;s settings</source>
        <translation>In die Einstellungen von Claude Code übernehmen</translation>
    </message>
    <message>
        <source>Claude Code</source>
        <translation>Claude Code</translation>
    </message>
    <message>
        <source>optional: a model name the routing table knows</source>
        <translation>optional: ein Modellname, den die Routing-Tabelle kennt</translation>
    </message>
    <message>
        <source>Opus model:</source>
        <translation>Opus-Modell:</translation>
    </message>
    <message>
        <source>Sonnet model:</source>
        <translation>Sonnet-Modell:</translation>
    </message>
    <message>
        <source>Haiku model:</source>
        <translation>Haiku-Modell:</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Apply to ~/.claude/settings.json</source>
        <translation>In ~/.claude/settings.json übernehmen</translation>
    </message>
    <message>
        <source>Sets only these keys in the &quot;env&quot; object of Claude Code&apos;s settings.json; a backup is written first.</source>
        <translation>Setzt nur diese Einträge im „env“-Objekt der settings.json von Claude Code; vorher wird eine Sicherung angelegt.</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Restores settings.json from the newest Switchyard backup.</source>
        <translation>Stellt settings.json aus der neuesten Switchyard-Sicherung wieder her.</translation>
    </message>
    <message>
        <source>Codex CLI (~/.codex/config.toml)</source>
        <translation>Codex CLI (~/.codex/config.toml)</translation>
    </message>
    <message>
        <source>Gemini CLI</source>
        <translation>Gemini CLI</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>In die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>Set these keys in the &quot;env&quot; object of %1?

%2

Everything else in the file stays as it is; a backup is written first and Undo restores it.</source>
        <translation>Diese Einträge im „env“-Objekt von %1 setzen?

%2

Alles andere in der Datei bleibt unverändert; vorher wird eine Sicherung angelegt, aus der „Rückgängig“ die Datei wiederherstellt.</translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation>Nicht übernommen: %1</translation>
    </message>
    <message>
        <source>Applied to %1. Restart Claude Code to use it.</source>
        <translation>In %1 übernommen. Starten Sie Claude Code neu, damit die Änderung wirksam wird.</translation>
    </message>
    <message>
        <source>Cannot undo: %1</source>
        <translation>Rückgängigmachen nicht möglich: %1</translation>
    </message>
    <message>
        <source>Restored %1 from the backup.</source>
        <translation>%1 wurde aus der Sicherung wiederhergestellt.</translation>
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
        <translation>Anfrageprotokoll – Switchyard</translation>
    </message>
    <message>
        <source>Filter by model, provider, client, status or error</source>
        <translation>Nach Modell, Anbieter, Client, Status oder Fehler filtern</translation>
    </message>
    <message>
        <source>Select a request to see its attempts and its error.</source>
        <translation>Wählen Sie eine Anfrage aus, um ihre Versuche und ihren Fehler zu sehen.</translation>
    </message>
    <message>
        <source>Usage logging is off: only requests made while this window is open are shown.</source>
        <translation>Die Nutzungsprotokollierung ist ausgeschaltet: Es werden nur Anfragen angezeigt, die bei geöffnetem Fenster gestellt wurden.</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s)</source>
        <translation>
            <numerusform>%n Anfrage</numerusform>
            <numerusform>%n Anfragen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n request(s)</source>
        <translation>
            <numerusform>%1 von %n Anfrage</numerusform>
            <numerusform>%1 von %n Anfragen</numerusform>
        </translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Anfrage</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Dialect</source>
        <translation>Dialekt</translation>
    </message>
    <message>
        <source> (streaming)</source>
        <translation> (Streaming)</translation>
    </message>
    <message>
        <source>Requested model</source>
        <translation>Angefragtes Modell</translation>
    </message>
    <message>
        <source>Provider/model</source>
        <translation>Anbieter/Modell</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>input %1, cache read %2, cache write %3, output %4, reasoning %5</source>
        <translation>Eingabe %1, Cache gelesen %2, Cache geschrieben %3, Ausgabe %4, Reasoning %5</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Kosten</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <source>first byte %1, total %2</source>
        <translation>erstes Byte %1, gesamt %2</translation>
    </message>
    <message>
        <source>Attempts (%1)</source>
        <translation>Versuche (%1)</translation>
    </message>
    <message>
        <source>No upstream attempt (answered by the gateway).</source>
        <translation>Kein Versuch beim Anbieter (vom Gateway selbst beantwortet).</translation>
    </message>
    <message>
        <source>#</source>
        <translation>Nr.</translation>
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
        <source>Credential</source>
        <translation>Zugangsdaten</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>Model → provider/model</source>
        <translation>Modell → Anbieter/Modell</translation>
    </message>
    <message>
        <source>Tokens in/out</source>
        <translation>Tokens ein/aus</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>k. A.</translation>
    </message>
</context>
<context>
    <name>sy::RouteTableModel</name>
    <message>
        <source>Model pattern</source>
        <translation>Modellmuster</translation>
    </message>
    <message>
        <source>Conditions</source>
        <translation>Bedingungen</translation>
    </message>
    <message>
        <source>Targets (fallback chain)</source>
        <translation>Ziele (Fallback-Kette)</translation>
    </message>
</context>
<context>
    <name>sy::SettingsDialog</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Switchyard Settings</source>
        <translation>Switchyard-Einstellungen</translation>
    </message>
    <message>
        <source>Providers</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>Routing</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Konten</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
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
        <translation>Reihum (Standard)</translation>
    </message>
    <message>
        <source>Fill first</source>
        <translation>Erste zuerst auslasten</translation>
    </message>
    <message>
        <source>Least used</source>
        <translation>Am wenigsten genutzt</translation>
    </message>
    <message>
        <source>Sticky per conversation</source>
        <translation>Fest pro Unterhaltung</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Context window</source>
        <translation>Kontextfenster</translation>
    </message>
    <message>
        <source>Output limit</source>
        <translation>Ausgabelimit</translation>
    </message>
    <message>
        <source>Add model</source>
        <translation>Modell hinzufügen</translation>
    </message>
    <message>
        <source>Remove model</source>
        <translation>Modell entfernen</translation>
    </message>
    <message>
        <source>Remove credential</source>
        <translation>Zugangsdaten entfernen</translation>
    </message>
    <message>
        <source>Paste an API key to add it to the pool (kept in the keychain)</source>
        <translation>API-Schlüssel einfügen, um ihn zum Pool hinzuzufügen (wird im Schlüsselbund gespeichert)</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Testen</translation>
    </message>
    <message>
        <source>ID:</source>
        <translation>ID:</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>Typ:</translation>
    </message>
    <message>
        <source>Base URL:</source>
        <translation>Basis-URL:</translation>
    </message>
    <message>
        <source>Models:</source>
        <translation>Modelle:</translation>
    </message>
    <message>
        <source>Credentials:</source>
        <translation>Zugangsdaten:</translation>
    </message>
    <message>
        <source>Add API key:</source>
        <translation>API-Schlüssel hinzufügen:</translation>
    </message>
    <message>
        <source>Pool strategy:</source>
        <translation>Pool-Strategie:</translation>
    </message>
    <message>
        <source>Account %1</source>
        <translation>Konto %1</translation>
    </message>
    <message>
        <source>Every %1 account</source>
        <translation>Alle Konten vom Typ %1</translation>
    </message>
    <message>
        <source>API key from %1</source>
        <translation>API-Schlüssel aus %1</translation>
    </message>
    <message>
        <source>API key written in the config file</source>
        <translation>API-Schlüssel direkt in der Konfigurationsdatei</translation>
    </message>
    <message>
        <source>The gateway is not running; start it to test.</source>
        <translation>Das Gateway läuft nicht; starten Sie es, um zu testen.</translation>
    </message>
    <message>
        <source>Add a model to test this provider.</source>
        <translation>Fügen Sie ein Modell hinzu, um diesen Anbieter zu testen.</translation>
    </message>
    <message>
        <source>The running gateway does not know &quot;%1&quot; yet; save first.</source>
        <translation>Das laufende Gateway kennt „%1“ noch nicht; speichern Sie zuerst.</translation>
    </message>
    <message>
        <source>Testing %1/%2…</source>
        <translation>%1/%2 wird getestet…</translation>
    </message>
    <message>
        <source>Failed after %1 ms: %2</source>
        <translation>Fehlgeschlagen nach %1 ms: %2</translation>
    </message>
    <message>
        <source>OK: HTTP %1 in %2 ms</source>
        <translation>OK: HTTP %1 in %2 ms</translation>
    </message>
    <message>
        <source>Failed: HTTP %1 in %2 ms: %3</source>
        <translation>Fehlgeschlagen: HTTP %1 in %2 ms: %3</translation>
    </message>
    <message>
        <source>Rules are tried from the top; the first whose pattern and conditions match decides. Targets are a fallback chain such as &quot;deepseek/deepseek-chat -&gt; anthropic/*&quot;. Conditions: thinking=true; tokens_over=150000; has_images=true; tools_include=web_search; client=claude-code.</source>
        <translation>Regeln werden von oben nach unten geprüft; die erste, deren Muster und Bedingungen zutreffen, entscheidet. Ziele bilden eine Fallback-Kette wie „deepseek/deepseek-chat -&gt; anthropic/*“. Bedingungen: thinking=true; tokens_over=150000; has_images=true; tools_include=web_search; client=claude-code.</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>Nach oben</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>Nach unten</translation>
    </message>
    <message>
        <source>Try a model name, e.g. claude-sonnet-4-5</source>
        <translation>Modellnamen ausprobieren, z. B. claude-sonnet-4-5</translation>
    </message>
    <message>
        <source>Try a model name</source>
        <translation>Modellnamen ausprobieren</translation>
    </message>
    <message>
        <source>The settings are not valid yet: %1</source>
        <translation>Die Einstellungen sind noch nicht gültig: %1</translation>
    </message>
    <message>
        <source>No rule matches: %1</source>
        <translation>Keine Regel trifft zu: %1</translation>
    </message>
    <message>
        <source>Rule %1 (match &quot;%2&quot;) → %3</source>
        <translation>Regel %1 (Muster „%2“) → %3</translation>
    </message>
    <message>
        <source>Named directly (%1) → %2</source>
        <translation>Direkt benannt (%1) → %2</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Label / email</source>
        <translation>Bezeichnung / E-Mail</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>Tarif</translation>
    </message>
    <message>
        <source>Quota</source>
        <translation>Kontingent</translation>
    </message>
    <message>
        <source>Cooldown</source>
        <translation>Wartezeit</translation>
    </message>
    <message>
        <source>ChatGPT (Codex)</source>
        <translation>ChatGPT (Codex)</translation>
    </message>
    <message>
        <source>Claude</source>
        <translation>Claude</translation>
    </message>
    <message>
        <source>Google (Gemini Code Assist)</source>
        <translation>Google (Gemini Code Assist)</translation>
    </message>
    <message>
        <source>Log in…</source>
        <translation>Anmelden…</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <source>Codex CLI login</source>
        <translation>Codex-CLI-Anmeldung</translation>
    </message>
    <message>
        <source>Claude Code login</source>
        <translation>Claude-Code-Anmeldung</translation>
    </message>
    <message>
        <source>Gemini CLI login</source>
        <translation>Gemini-CLI-Anmeldung</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>Credential</source>
        <translation>Zugangsdaten</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Subscription logins</source>
        <translation>Abo-Anmeldungen</translation>
    </message>
    <message>
        <source>Every credential of the running gateway</source>
        <translation>Alle Zugangsdaten des laufenden Gateways</translation>
    </message>
    <message>
        <source>Accounts are not available: the secret store is not open.</source>
        <translation>Konten sind nicht verfügbar: Der sichere Speicher ist nicht geöffnet.</translation>
    </message>
    <message>
        <source>Before you continue</source>
        <translation>Bevor Sie fortfahren</translation>
    </message>
    <message>
        <source>Unknown login provider &quot;%1&quot;.</source>
        <translation>Unbekannter Anmeldeanbieter „%1“.</translation>
    </message>
    <message>
        <source>Finish the login in your browser. If no browser opened, open &lt;a href=&quot;%1&quot;&gt;this link&lt;/a&gt;.</source>
        <translation>Schließen Sie die Anmeldung im Browser ab. Falls sich kein Browser geöffnet hat, öffnen Sie &lt;a href=&quot;%1&quot;&gt;diesen Link&lt;/a&gt;.</translation>
    </message>
    <message>
        <source>Signed in; reading the account…</source>
        <translation>Angemeldet; Konto wird gelesen…</translation>
    </message>
    <message>
        <source>Added %1.</source>
        <translation>%1 hinzugefügt.</translation>
    </message>
    <message>
        <source>Login failed: %1</source>
        <translation>Anmeldung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Starting the login…</source>
        <translation>Anmeldung wird gestartet…</translation>
    </message>
    <message>
        <source>Remove the account %1 and its stored tokens?</source>
        <translation>Das Konto %1 und seine gespeicherten Tokens entfernen?</translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation>%1 entfernt.</translation>
    </message>
    <message>
        <source>Could not remove %1: %2</source>
        <translation>%1 konnte nicht entfernt werden: %2</translation>
    </message>
    <message>
        <source>Import failed: %1</source>
        <translation>Import fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Imported %1.</source>
        <translation>%1 importiert.</translation>
    </message>
    <message>
        <source>Client ID</source>
        <translation>Client-ID</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Clients must present one of these keys. Type a new key to keep it in the keychain, or enter env:NAME.</source>
        <translation>Clients müssen einen dieser Schlüssel vorweisen. Geben Sie einen neuen Schlüssel ein, um ihn im Schlüsselbund zu speichern, oder geben Sie env:NAME an.</translation>
    </message>
    <message>
        <source>Add key</source>
        <translation>Schlüssel hinzufügen</translation>
    </message>
    <message>
        <source>Remove key</source>
        <translation>Schlüssel entfernen</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>Info</translation>
    </message>
    <message>
        <source>Debug</source>
        <translation>Debug</translation>
    </message>
    <message>
        <source>Warnings only</source>
        <translation>Nur Warnungen</translation>
    </message>
    <message>
        <source> days</source>
        <translation> Tage</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Listen on:</source>
        <translation>Lauschadresse:</translation>
    </message>
    <message>
        <source>Gateway keys:</source>
        <translation>Gateway-Schlüssel:</translation>
    </message>
    <message>
        <source>Log level:</source>
        <translation>Protokollstufe:</translation>
    </message>
    <message>
        <source>Keep usage for:</source>
        <translation>Nutzungsdaten aufbewahren für:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>The language applies the next time Switchyard starts.</source>
        <translation>Die Sprache wird beim nächsten Start von Switchyard übernommen.</translation>
    </message>
    <message>
        <source>(written in the config file)</source>
        <translation>(in der Konfigurationsdatei eingetragen)</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Not saved: keys can only be kept when the secret store is open.</source>
        <translation>Nicht gespeichert: Schlüssel lassen sich nur speichern, wenn der sichere Speicher geöffnet ist.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Not saved: the keychain refused a key (%1)</source>
        <translation>Nicht gespeichert: Der Schlüsselbund hat einen Schlüssel abgelehnt (%1)</translation>
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
        <translation>Anfrage&amp;protokoll</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Connect a coding CLI…</source>
        <translation>Coding-CLI &amp;verbinden…</translation>
    </message>
    <message>
        <source>Copy Claude Code &amp;setup</source>
        <translation>Claude-Code-Einrichtung &amp;kopieren</translation>
    </message>
    <message>
        <source>Start at &amp;login</source>
        <translation>Bei &amp;Anmeldung starten</translation>
    </message>
    <message>
        <source>The Claude Code setup was copied to the clipboard.</source>
        <translation>Die Claude-Code-Einrichtung wurde in die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>Cannot change the autostart entry: %1</source>
        <translation>Der Autostart-Eintrag kann nicht geändert werden: %1</translation>
    </message>
    <message>
        <source>Today: usage is not logged</source>
        <translation>Heute: Nutzung wird nicht protokolliert</translation>
    </message>
    <message>
        <source>Today: no requests</source>
        <translation>Heute: keine Anfragen</translation>
    </message>
    <message>
        <source>cost unknown</source>
        <translation>Kosten unbekannt</translation>
    </message>
    <message numerus="yes">
        <source>%1 + %n without a price</source>
        <translation>
            <numerusform>%1 + %n ohne Preis</numerusform>
            <numerusform>%1 + %n ohne Preis</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Today: %n request(s), %1</source>
        <translation>
            <numerusform>Heute: %n Anfrage, %1</numerusform>
            <numerusform>Heute: %n Anfragen, %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Running on %1</source>
        <translation>Läuft auf %1</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>Fehler: %1</translation>
    </message>
    <message>
        <source>An account needs a new login (Settings → Accounts).</source>
        <translation>Ein Konto muss neu angemeldet werden (Einstellungen → Konten).</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
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
