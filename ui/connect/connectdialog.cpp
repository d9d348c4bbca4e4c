#include "connect/connectdialog.h"

#include "gateway/gatewayservice.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace sy {

namespace {

QPlainTextEdit* snippetBox(const QString& name, QWidget* parent)
{
    auto* box = new QPlainTextEdit(parent);
    box->setObjectName(name);
    box->setReadOnly(true);
    box->setLineWrapMode(QPlainTextEdit::NoWrap);
    box->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return box;
}

} // namespace

ConnectDialog::ConnectDialog(GatewayService* service, QWidget* parent)
    : QDialog(parent)
    , m_service(service)
    , m_settingsPath(ClaudeSettingsFile::defaultPath())
{
    setWindowTitle(tr("Connect a client — Switchyard"));
    setObjectName(QStringLiteral("connectDialog"));
    m_confirm = [this](const QString& question) {
        return QMessageBox::question(this, tr("Apply to Claude Code's settings"), question,
                   QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    };

    // Claude Code
    auto* claudeGroup = new QGroupBox(tr("Claude Code"), this);
    auto* modelForm = new QFormLayout;
    m_opusEdit = new QLineEdit(claudeGroup);
    m_opusEdit->setObjectName(QStringLiteral("opusModelEdit"));
    m_sonnetEdit = new QLineEdit(claudeGroup);
    m_sonnetEdit->setObjectName(QStringLiteral("sonnetModelEdit"));
    m_haikuEdit = new QLineEdit(claudeGroup);
    m_haikuEdit->setObjectName(QStringLiteral("haikuModelEdit"));
    for (QLineEdit* edit : {m_opusEdit, m_sonnetEdit, m_haikuEdit})
        edit->setPlaceholderText(tr("optional: a model name the routing table knows"));
    modelForm->addRow(tr("Opus model:"), m_opusEdit);
    modelForm->addRow(tr("Sonnet model:"), m_sonnetEdit);
    modelForm->addRow(tr("Haiku model:"), m_haikuEdit);
    m_claudeText = snippetBox(QStringLiteral("claudeSnippetEdit"), claudeGroup);
    auto* copyClaude = new QPushButton(tr("Copy"), claudeGroup);
    copyClaude->setObjectName(QStringLiteral("copyClaudeButton"));
    m_applyButton = new QPushButton(tr("Apply to ~/.claude/settings.json"), claudeGroup);
    m_applyButton->setObjectName(QStringLiteral("applyClaudeButton"));
    m_applyButton->setToolTip(tr("Sets only these keys in the \"env\" object of Claude Code's settings.json; a "
                                 "backup is written first."));
    m_undoButton = new QPushButton(tr("Undo"), claudeGroup);
    m_undoButton->setObjectName(QStringLiteral("undoClaudeButton"));
    m_undoButton->setToolTip(tr("Restores settings.json from the newest Switchyard backup."));
    m_statusLabel = new QLabel(claudeGroup);
    m_statusLabel->setObjectName(QStringLiteral("claudeStatusLabel"));
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* claudeButtons = new QHBoxLayout;
    claudeButtons->addWidget(copyClaude);
    claudeButtons->addStretch(1);
    claudeButtons->addWidget(m_applyButton);
    claudeButtons->addWidget(m_undoButton);
    auto* claudeLayout = new QVBoxLayout(claudeGroup);
    claudeLayout->addLayout(modelForm);
    claudeLayout->addWidget(m_claudeText);
    claudeLayout->addLayout(claudeButtons);
    claudeLayout->addWidget(m_statusLabel);

    // Codex CLI
    auto* codexGroup = new QGroupBox(tr("Codex CLI (~/.codex/config.toml)"), this);
    m_codexText = snippetBox(QStringLiteral("codexSnippetEdit"), codexGroup);
    auto* copyCodex = new QPushButton(tr("Copy"), codexGroup);
    copyCodex->setObjectName(QStringLiteral("copyCodexButton"));
    auto* codexLayout = new QVBoxLayout(codexGroup);
    codexLayout->addWidget(m_codexText);
    codexLayout->addWidget(copyCodex, 0, Qt::AlignLeft);

    // Gemini CLI
    auto* geminiGroup = new QGroupBox(tr("Gemini CLI"), this);
    m_geminiText = snippetBox(QStringLiteral("geminiSnippetEdit"), geminiGroup);
    auto* copyGemini = new QPushButton(tr("Copy"), geminiGroup);
    copyGemini->setObjectName(QStringLiteral("copyGeminiButton"));
    auto* geminiLayout = new QVBoxLayout(geminiGroup);
    geminiLayout->addWidget(m_geminiText);
    geminiLayout->addWidget(copyGemini, 0, Qt::AlignLeft);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(claudeGroup);
    layout->addWidget(codexGroup);
    layout->addWidget(geminiGroup);
    layout->addWidget(buttons);
    resize(720, 760);

    connect(copyClaude, &QPushButton::clicked, this, [this] { copyText(m_claudeText->toPlainText()); });
    connect(copyCodex, &QPushButton::clicked, this, [this] { copyText(m_codexText->toPlainText()); });
    connect(copyGemini, &QPushButton::clicked, this, [this] { copyText(m_geminiText->toPlainText()); });
    connect(m_applyButton, &QPushButton::clicked, this, &ConnectDialog::applyClaude);
    connect(m_undoButton, &QPushButton::clicked, this, &ConnectDialog::undoClaude);
    for (QLineEdit* edit : {m_opusEdit, m_sonnetEdit, m_haikuEdit})
        connect(edit, &QLineEdit::textChanged, this, &ConnectDialog::refresh);
    if (m_service)
        connect(m_service, &GatewayService::runningChanged, this, &ConnectDialog::refresh);

    refresh();
}

ConnectDialog::~ConnectDialog() = default;

ClientSetupOptions ConnectDialog::setupOptions(GatewayService* service)
{
    if (!service)
        return ClientSetupOptions();
    return ClientSetupOptions::fromConfig(service->config(), service->isRunning() ? service->port() : quint16(0));
}

QString ConnectDialog::claudeCodeSetupText(GatewayService* service)
{
    return ClientSetup::claudeCodeSnippet(setupOptions(service));
}

void ConnectDialog::setClaudeSettingsPath(const QString& path)
{
    m_settingsPath = path;
    updateUndoButton();
}

void ConnectDialog::setConfirmHandler(std::function<bool(const QString&)> handler)
{
    m_confirm = std::move(handler);
}

ClientSetupOptions ConnectDialog::currentOptions() const
{
    ClientSetupOptions o = setupOptions(m_service);
    o.opusModel = m_opusEdit->text().trimmed();
    o.sonnetModel = m_sonnetEdit->text().trimmed();
    o.haikuModel = m_haikuEdit->text().trimmed();
    return o;
}

void ConnectDialog::refresh()
{
    const ClientSetupOptions o = currentOptions();
    m_claudeText->setPlainText(ClientSetup::claudeCodeSnippet(o));
    m_codexText->setPlainText(ClientSetup::codexSnippet(o));
    m_geminiText->setPlainText(ClientSetup::geminiSnippet(o));
    updateUndoButton();
}

void ConnectDialog::copyText(const QString& text)
{
    QGuiApplication::clipboard()->setText(text);
    showStatus(tr("Copied to the clipboard."), false);
}

void ConnectDialog::applyClaude()
{
    const ClientSetupOptions o = currentOptions();
    // Every owned key: those the setup has get its value, the others are removed (a stale model override).
    QList<QPair<QString, QString>> env;
    const QList<QPair<QString, QString>> wanted = ClientSetup::claudeCodeEnv(o);
    for (const QString& key : ClaudeSettingsFile::ownedKeys()) {
        QString value;
        for (const auto& [name, v] : wanted) {
            if (name == key)
                value = v;
        }
        env.append({key, value});
    }
    QStringList lines;
    for (const auto& [name, value] : wanted)
        lines.append(QString(name + QLatin1Char('=') + value));
    const QString question = tr("Set these keys in the \"env\" object of %1?\n\n%2\n\nEverything else in the file "
                                "stays as it is; a backup is written first and Undo restores it.")
                                 .arg(QDir::toNativeSeparators(m_settingsPath), lines.join(QLatin1Char('\n')));
    if (m_confirm && !m_confirm(question))
        return;
    QString error;
    if (!ClaudeSettingsFile::apply(m_settingsPath, env, &error)) {
        showStatus(tr("Not applied: %1").arg(error), true);
        return;
    }
    showStatus(
        tr("Applied to %1. Restart Claude Code to use it.").arg(QDir::toNativeSeparators(m_settingsPath)), false);
    updateUndoButton();
}

void ConnectDialog::undoClaude()
{
    QString error;
    if (!ClaudeSettingsFile::undo(m_settingsPath, &error)) {
        showStatus(tr("Cannot undo: %1").arg(error), true);
        return;
    }
    showStatus(tr("Restored %1 from the backup.").arg(QDir::toNativeSeparators(m_settingsPath)), false);
    updateUndoButton();
}

void ConnectDialog::updateUndoButton()
{
    m_undoButton->setEnabled(ClaudeSettingsFile::canUndo(m_settingsPath));
}

void ConnectDialog::showStatus(const QString& text, bool error)
{
    m_statusLabel->setText(text);
    m_statusLabel->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

} // namespace sy
