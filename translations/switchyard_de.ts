<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
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
    <message numerus="yes">
        <source>Running on %1:%2 — %n request(s)</source>
        <translation>
            <numerusform>Läuft auf %1:%2 — %n Anfrage</numerusform>
            <numerusform>Läuft auf %1:%2 — %n Anfragen</numerusform>
        </translation>
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
