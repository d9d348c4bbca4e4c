#pragma once

#include "connect/clientsetup.h"

#include <QDialog>
#include <QPointer>

#include <functional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace sy {

class GatewayService;

// "Connect a client": the exact setup for Claude Code, Codex CLI and Gemini CLI with copy buttons, and an opt-in
// "Apply to ~/.claude/settings.json" (with a backup, and undo).
class ConnectDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectDialog)
public:
    explicit ConnectDialog(GatewayService* service, QWidget* parent = nullptr);
    ~ConnectDialog() override;

    // Claude Code's lines for the service's current address and key (the tray's "Copy Claude Code setup").
    static QString claudeCodeSetupText(GatewayService* service);
    // The options the snippets are built from (address, port, key) for `service`.
    static ClientSetupOptions setupOptions(GatewayService* service);

    // The settings file "Apply" edits (tests point it at a temporary file); ~/.claude/settings.json by default.
    void setClaudeSettingsPath(const QString& path);
    QString claudeSettingsPath() const { return m_settingsPath; }
    // Asks before applying; returns true to go on. Default: a question box. Tests replace it.
    void setConfirmHandler(std::function<bool(const QString& question)> handler);
    // Rebuilds the snippets (address, port, key and model fields).
    void refresh();

private:
    ClientSetupOptions currentOptions() const;
    void copyText(const QString& text);
    void applyClaude();
    void undoClaude();
    void updateUndoButton();
    void showStatus(const QString& text, bool error);

    QPointer<GatewayService> m_service;
    QString m_settingsPath;
    std::function<bool(const QString&)> m_confirm;
    QLineEdit* m_opusEdit = nullptr;
    QLineEdit* m_sonnetEdit = nullptr;
    QLineEdit* m_haikuEdit = nullptr;
    QPlainTextEdit* m_claudeText = nullptr;
    QPlainTextEdit* m_codexText = nullptr;
    QPlainTextEdit* m_geminiText = nullptr;
    QPushButton* m_applyButton = nullptr;
    QPushButton* m_undoButton = nullptr;
    QLabel* m_statusLabel = nullptr;
};

} // namespace sy
