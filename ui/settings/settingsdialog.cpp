#include "settingsdialog.h"

#include "accounts/accountimport.h"
#include "accounts/accountmanager.h"
#include "accounts/credentialmanager.h"
#include "common/clock.h"
#include "gateway/gatewayservice.h"
#include "oauth/oauthlogin.h"
#include "routetablemodel.h"
#include "routing/router.h"
#include "secrets/secretstore.h"

#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPushButton>
#include <QSpinBox>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace sy {

namespace {

constexpr int OriginalKeyRole = Qt::UserRole; // the gateway key's reference as in the file
constexpr int NewSecretRole = Qt::UserRole + 1; // a key typed here, stored in the secret store on Save
constexpr int AccountRefreshMs = 5000;
const QString SecretMask = QStringLiteral("\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022");

// Edits a cell with a password-echo line edit (the gateway keys' key column).
class PasswordDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem&, const QModelIndex&) const override
    {
        auto* edit = new QLineEdit(parent);
        edit->setEchoMode(QLineEdit::PasswordEchoOnEdit);
        return edit;
    }
    void setEditorData(QWidget* editor, const QModelIndex&) const override { static_cast<QLineEdit*>(editor)->clear(); }
};

bool isReference(const QString& key)
{
    return key.startsWith(QLatin1String("env:")) || key.startsWith(QLatin1String("keychain:"));
}

QString formatDuration(qint64 ms)
{
    const qint64 s = (ms + 999) / 1000;
    if (s < 60)
        return SettingsDialog::tr("%1 s").arg(s);
    if (s < 3600)
        return SettingsDialog::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return SettingsDialog::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QTableWidgetItem* readOnlyItem(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

} // namespace

SettingsDialog::SettingsDialog(GatewayService* service, const QString& configPath, QWidget* parent)
    : QDialog(parent)
    , m_service(service)
    , m_configPath(configPath)
    , m_nam(new QNetworkAccessManager(this))
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Switchyard Settings"));
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("settingsTabs"));
    m_tabs->addTab(buildProvidersTab(), tr("Providers"));
    m_tabs->addTab(buildRoutingTab(), tr("Routing"));
    m_tabs->addTab(buildAccountsTab(), tr("Accounts"));
    m_tabs->addTab(buildGeneralTab(), tr("General"));

    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_errorLabel->hide();

    auto* buttons = new QDialogButtonBox(this);
    m_saveButton = buttons->addButton(tr("Save"), QDialogButtonBox::AcceptRole);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    m_saveButton->setDefault(true);
    QPushButton* cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    connect(m_saveButton, &QPushButton::clicked, this, &SettingsDialog::save);
    connect(cancel, &QPushButton::clicked, this, &SettingsDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(m_errorLabel);
    layout->addWidget(buttons);
    resize(860, 560);

    if (m_service) {
        connect(m_service, &GatewayService::requestCompleted, this, &SettingsDialog::refreshAccounts);
        if (AccountManager* accounts = m_service->accounts()) {
            connect(accounts, &AccountManager::accountsChanged, this, &SettingsDialog::refreshAccounts);
            connect(accounts, &AccountManager::accountStateChanged, this, &SettingsDialog::refreshAccounts);
        }
    }
    auto* timer = new QTimer(this);
    timer->setInterval(AccountRefreshMs);
    connect(timer, &QTimer::timeout, this, [this] {
        if (isVisible())
            refreshAccounts();
    });
    timer->start();

    reload();
}

SettingsDialog::~SettingsDialog()
{
    if (m_testReply)
        m_testReply->abort();
    if (m_login)
        m_login->cancel();
}

void SettingsDialog::reload()
{
    QString error;
    if (!m_editor.load(m_configPath, &error)) {
        showError(error);
        m_saveButton->setEnabled(false); // never overwrite a file we could not read
    } else {
        showError(QString());
        m_saveButton->setEnabled(true);
    }
    m_pendingKeys.clear();
    m_currentProvider = -1;
    fillProviderList();
    m_routeModel->reload();
    loadGeneral();
    refreshAccounts();
    updateTryModel();
}

void SettingsDialog::done(int result)
{
    QDialog::done(result);
    if (result == QDialog::Rejected)
        reload(); // the next open starts from the file again
}

void SettingsDialog::showError(const QString& error)
{
    m_errorLabel->setText(error);
    m_errorLabel->setVisible(!error.isEmpty());
}

// ---- Providers ----------------------------------------------------------------------------------------------------

QWidget* SettingsDialog::buildProvidersTab()
{
    auto* page = new QWidget;
    page->setObjectName(QStringLiteral("providersTab"));

    m_providerList = new QListWidget(page);
    m_providerList->setObjectName(QStringLiteral("providerList"));
    auto* addButton = new QPushButton(tr("Add"), page);
    addButton->setObjectName(QStringLiteral("addProviderButton"));
    auto* removeButton = new QPushButton(tr("Remove"), page);
    removeButton->setObjectName(QStringLiteral("removeProviderButton"));
    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(addButton);
    listButtons->addWidget(removeButton);
    auto* left = new QVBoxLayout;
    left->addWidget(m_providerList);
    left->addLayout(listButtons);

    m_providerIdEdit = new QLineEdit(page);
    m_providerIdEdit->setObjectName(QStringLiteral("providerIdEdit"));
    m_providerKindCombo = new QComboBox(page);
    m_providerKindCombo->setObjectName(QStringLiteral("providerKindCombo"));
    m_providerKindCombo->addItem(tr("Anthropic Messages"), QStringLiteral("anthropic"));
    m_providerKindCombo->addItem(tr("OpenAI Chat Completions"), QStringLiteral("openai-chat"));
    m_providerKindCombo->addItem(tr("OpenAI Responses"), QStringLiteral("openai-responses"));
    m_providerKindCombo->addItem(tr("Google Gemini"), QStringLiteral("gemini"));
    m_baseUrlEdit = new QLineEdit(page);
    m_baseUrlEdit->setObjectName(QStringLiteral("baseUrlEdit"));
    m_baseUrlEdit->setPlaceholderText(QStringLiteral("https://api.example.com/v1"));
    m_strategyCombo = new QComboBox(page);
    m_strategyCombo->setObjectName(QStringLiteral("strategyCombo"));
    m_strategyCombo->addItem(tr("Round robin (default)"), QString());
    m_strategyCombo->addItem(tr("Fill first"), QStringLiteral("fill-first"));
    m_strategyCombo->addItem(tr("Least used"), QStringLiteral("least-used"));
    m_strategyCombo->addItem(tr("Sticky per conversation"), QStringLiteral("sticky"));

    m_modelsTable = new QTableWidget(0, 3, page);
    m_modelsTable->setObjectName(QStringLiteral("modelsTable"));
    m_modelsTable->setHorizontalHeaderLabels({tr("Model"), tr("Context window"), tr("Output limit")});
    m_modelsTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_modelsTable->verticalHeader()->hide();
    auto* addModel = new QPushButton(tr("Add model"), page);
    addModel->setObjectName(QStringLiteral("addModelButton"));
    auto* removeModel = new QPushButton(tr("Remove model"), page);
    removeModel->setObjectName(QStringLiteral("removeModelButton"));
    auto* modelButtons = new QHBoxLayout;
    modelButtons->addWidget(addModel);
    modelButtons->addWidget(removeModel);
    modelButtons->addStretch();

    m_credentialsList = new QListWidget(page);
    m_credentialsList->setObjectName(QStringLiteral("credentialsList"));
    m_credentialsList->setMaximumHeight(90);
    auto* removeCredential = new QPushButton(tr("Remove credential"), page);
    removeCredential->setObjectName(QStringLiteral("removeCredentialButton"));
    m_apiKeyEdit = new QLineEdit(page);
    m_apiKeyEdit->setObjectName(QStringLiteral("apiKeyEdit"));
    m_apiKeyEdit->setEchoMode(QLineEdit::Password);
    m_apiKeyEdit->setPlaceholderText(tr("Paste an API key to add it to the pool (kept in the keychain)"));

    m_testButton = new QPushButton(tr("Test"), page);
    m_testButton->setObjectName(QStringLiteral("testProviderButton"));
    m_testResultLabel = new QLabel(page);
    m_testResultLabel->setObjectName(QStringLiteral("testResultLabel"));
    m_testResultLabel->setWordWrap(true);
    m_testResultLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* testRow = new QHBoxLayout;
    testRow->addWidget(m_testButton);
    testRow->addWidget(m_testResultLabel, 1);

    auto* form = new QFormLayout;
    form->addRow(tr("ID:"), m_providerIdEdit);
    form->addRow(tr("Kind:"), m_providerKindCombo);
    form->addRow(tr("Base URL:"), m_baseUrlEdit);
    form->addRow(tr("Models:"), m_modelsTable);
    form->addRow(QString(), modelButtons);
    form->addRow(tr("Credentials:"), m_credentialsList);
    form->addRow(QString(), removeCredential);
    form->addRow(tr("Add API key:"), m_apiKeyEdit);
    form->addRow(tr("Pool strategy:"), m_strategyCombo);
    form->addRow(testRow);
    auto* formBox = new QWidget(page);
    formBox->setObjectName(QStringLiteral("providerForm"));
    formBox->setLayout(form);

    auto* layout = new QHBoxLayout(page);
    layout->addLayout(left, 1);
    layout->addWidget(formBox, 3);

    connect(m_providerList, &QListWidget::currentRowChanged, this, [this](int row) {
        if (m_loadingForm)
            return;
        commitProviderForm();
        loadProviderForm(row);
    });
    connect(addButton, &QPushButton::clicked, this, &SettingsDialog::addProvider);
    connect(removeButton, &QPushButton::clicked, this, &SettingsDialog::removeProvider);
    connect(addModel, &QPushButton::clicked, this, [this] {
        addModelRow({});
        m_modelsTable->setCurrentCell(m_modelsTable->rowCount() - 1, 0);
        m_modelsTable->editItem(m_modelsTable->item(m_modelsTable->rowCount() - 1, 0));
    });
    connect(removeModel, &QPushButton::clicked, this, [this] {
        if (m_modelsTable->currentRow() >= 0)
            m_modelsTable->removeRow(m_modelsTable->currentRow());
        commitProviderForm();
    });
    connect(removeCredential, &QPushButton::clicked, this, &SettingsDialog::removeCredential);
    connect(m_testButton, &QPushButton::clicked, this, &SettingsDialog::testProvider);

    auto commit = [this] { commitProviderForm(); };
    connect(m_providerIdEdit, &QLineEdit::textChanged, this, commit);
    connect(m_baseUrlEdit, &QLineEdit::textChanged, this, commit);
    connect(m_providerKindCombo, &QComboBox::currentIndexChanged, this, commit);
    connect(m_strategyCombo, &QComboBox::currentIndexChanged, this, commit);
    connect(m_modelsTable, &QTableWidget::itemChanged, this, commit);
    connect(m_apiKeyEdit, &QLineEdit::textChanged, this, commit);
    return page;
}

void SettingsDialog::fillProviderList()
{
    m_loadingForm = true;
    m_providerList->clear();
    m_providerList->addItems(m_editor.providerIds());
    m_loadingForm = false;
    if (m_providerList->count() > 0)
        m_providerList->setCurrentRow(0);
    else
        loadProviderForm(-1);
}

void SettingsDialog::loadProviderForm(int index)
{
    m_loadingForm = true;
    m_currentProvider = index;
    const bool valid = index >= 0 && index < m_editor.providerCount();
    const ConfigEditor::Provider p = valid ? m_editor.provider(index) : ConfigEditor::Provider();
    m_providerIdEdit->setText(p.id);
    m_providerKindCombo->setCurrentIndex(qMax(0, m_providerKindCombo->findData(p.kind)));
    m_baseUrlEdit->setText(p.baseUrl);
    m_strategyCombo->setCurrentIndex(qMax(0, m_strategyCombo->findData(p.strategy)));
    m_modelsTable->setRowCount(0);
    for (const ConfigEditor::Model& m : p.models)
        addModelRow(m);
    m_credentialsList->clear();
    for (const QJsonValue& v : p.credentials) {
        const QJsonObject c = v.toObject();
        QString text;
        const QString key = c.value(QStringLiteral("api_key")).toString();
        if (c.contains(QStringLiteral("account")))
            text = tr("Account %1").arg(c.value(QStringLiteral("account")).toString());
        else if (c.contains(QStringLiteral("accounts")))
            text = tr("Every %1 account").arg(c.value(QStringLiteral("accounts")).toString());
        else if (isReference(key))
            text = tr("API key from %1").arg(key);
        else
            text = tr("API key written in the config file");
        const QString label = c.value(QStringLiteral("label")).toString(c.value(QStringLiteral("id")).toString());
        if (!label.isEmpty())
            text = QStringLiteral("%1 (%2)").arg(text, label);
        m_credentialsList->addItem(text);
    }
    m_apiKeyEdit->setText(m_pendingKeys.value(p.id));
    for (QWidget* w : {static_cast<QWidget*>(m_providerIdEdit), static_cast<QWidget*>(m_providerKindCombo),
             static_cast<QWidget*>(m_baseUrlEdit), static_cast<QWidget*>(m_strategyCombo),
             static_cast<QWidget*>(m_modelsTable), static_cast<QWidget*>(m_apiKeyEdit),
             static_cast<QWidget*>(m_testButton)})
        w->setEnabled(valid);
    m_testResultLabel->clear();
    m_loadingForm = false;
}

void SettingsDialog::addModelRow(const ConfigEditor::Model& model)
{
    const bool wasLoading = m_loadingForm;
    m_loadingForm = true;
    const int row = m_modelsTable->rowCount();
    m_modelsTable->insertRow(row);
    m_modelsTable->setItem(row, 0, new QTableWidgetItem(model.id));
    m_modelsTable->setItem(
        row, 1, new QTableWidgetItem(model.contextWindow > 0 ? QString::number(model.contextWindow) : QString()));
    m_modelsTable->setItem(
        row, 2, new QTableWidgetItem(model.maxOutputTokens > 0 ? QString::number(model.maxOutputTokens) : QString()));
    m_loadingForm = wasLoading;
}

void SettingsDialog::commitProviderForm()
{
    if (m_loadingForm || m_currentProvider < 0 || m_currentProvider >= m_editor.providerCount())
        return;
    ConfigEditor::Provider p = m_editor.provider(m_currentProvider);
    const QString oldId = p.id;
    p.id = m_providerIdEdit->text().trimmed();
    p.kind = m_providerKindCombo->currentData().toString();
    p.baseUrl = m_baseUrlEdit->text().trimmed();
    p.strategy = m_strategyCombo->currentData().toString();
    p.models.clear();
    for (int row = 0; row < m_modelsTable->rowCount(); ++row) {
        auto cell = [&](int column) {
            const QTableWidgetItem* item = m_modelsTable->item(row, column);
            return item ? item->text().trimmed() : QString();
        };
        ConfigEditor::Model m;
        m.id = cell(0);
        if (m.id.isEmpty())
            continue; // a row being filled in
        m.contextWindow = cell(1).toInt();
        m.maxOutputTokens = cell(2).toInt();
        p.models.append(m);
    }
    m_editor.updateProvider(m_currentProvider, p);
    m_pendingKeys.remove(oldId);
    if (!m_apiKeyEdit->text().isEmpty())
        m_pendingKeys.insert(p.id, m_apiKeyEdit->text());
    if (QListWidgetItem* item = m_providerList->item(m_currentProvider))
        item->setText(p.id);
    updateTryModel();
}

void SettingsDialog::addProvider()
{
    commitProviderForm();
    const QStringList ids = m_editor.providerIds();
    QString id = QStringLiteral("new-provider");
    for (int n = 2; ids.contains(id); ++n)
        id = QStringLiteral("new-provider-%1").arg(n);
    ConfigEditor::Provider p;
    p.id = id;
    m_editor.addProvider(p);
    m_providerList->addItem(id);
    m_providerList->setCurrentRow(m_providerList->count() - 1);
    m_providerIdEdit->setFocus();
    m_providerIdEdit->selectAll();
}

void SettingsDialog::removeProvider()
{
    const int row = m_providerList->currentRow();
    if (row < 0)
        return;
    m_pendingKeys.remove(m_editor.provider(row).id);
    m_editor.removeProvider(row);
    m_currentProvider = -1;
    m_loadingForm = true;
    delete m_providerList->takeItem(row);
    m_loadingForm = false;
    loadProviderForm(m_providerList->currentRow());
    updateTryModel();
}

void SettingsDialog::removeCredential()
{
    const int row = m_credentialsList->currentRow();
    if (row < 0 || m_currentProvider < 0)
        return;
    commitProviderForm();
    ConfigEditor::Provider p = m_editor.provider(m_currentProvider);
    p.credentials.removeAt(row);
    m_editor.updateProvider(m_currentProvider, p);
    loadProviderForm(m_currentProvider);
}

// Sends a tiny request through the running gateway to itself, naming the provider directly ("provider/model"), so
// that routing rules do not matter and the provider's credentials and URL are what is tested.
void SettingsDialog::testProvider()
{
    commitProviderForm();
    const QString id = m_providerIdEdit->text().trimmed();
    QString model;
    for (int row = 0; row < m_modelsTable->rowCount() && model.isEmpty(); ++row) {
        if (const QTableWidgetItem* item = m_modelsTable->item(row, 0))
            model = item->text().trimmed();
    }
    if (!m_service || !m_service->isRunning()) {
        m_testResultLabel->setText(tr("The gateway is not running; start it to test."));
        return;
    }
    if (model.isEmpty()) {
        m_testResultLabel->setText(tr("Add a model to test this provider."));
        return;
    }
    if (!m_service->config().provider(id)) {
        m_testResultLabel->setText(tr("The running gateway does not know \"%1\" yet; save first.").arg(id));
        return;
    }
    if (m_testReply)
        m_testReply->abort();
    QHostAddress address = m_service->address();
    if (address.isNull() || address == QHostAddress(QHostAddress::AnyIPv4) || address == QHostAddress::Any)
        address = QHostAddress(QHostAddress::LocalHost);
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(address.toString());
    url.setPort(m_service->port());
    url.setPath(QStringLiteral("/v1/messages"));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("anthropic-version", "2023-06-01");
    request.setRawHeader("user-agent", "switchyard-settings-test");
    request.setTransferTimeout(60000);
    const QList<GatewayKey>& keys = m_service->config().server.gatewayKeys;
    if (!keys.isEmpty() && !keys.first().key.isEmpty())
        request.setRawHeader("x-api-key", keys.first().key.toUtf8());
    const QJsonObject body {{QStringLiteral("model"), QString(id + QLatin1Char('/') + model)},
        {QStringLiteral("max_tokens"), 16},
        {QStringLiteral("messages"),
            QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                {QStringLiteral("content"), QStringLiteral("ping")}}}}};
    m_testResultLabel->setText(tr("Testing %1/%2…").arg(id, model));
    m_testTimer.start();
    m_testReply = m_nam->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(m_testReply.data(), &QNetworkReply::finished, this, &SettingsDialog::onTestFinished);
}

void SettingsDialog::onTestFinished()
{
    auto* reply = qobject_cast<QNetworkReply*>(sender());
    if (!reply)
        return;
    reply->deleteLater();
    if (reply != m_testReply)
        return;
    const qint64 ms = m_testTimer.elapsed();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray data = reply->readAll();
    if (status == 0) {
        m_testResultLabel->setText(tr("Failed after %1 ms: %2").arg(ms).arg(reply->errorString()));
        return;
    }
    if (status >= 200 && status < 300) {
        m_testResultLabel->setText(tr("OK: HTTP %1 in %2 ms").arg(status).arg(ms));
        return;
    }
    const QJsonObject error = QJsonDocument::fromJson(data).object().value(QStringLiteral("error")).toObject();
    QString message = error.value(QStringLiteral("message")).toString();
    if (message.isEmpty())
        message = QString::fromUtf8(data.left(300));
    m_testResultLabel->setText(tr("Failed: HTTP %1 in %2 ms: %3").arg(status).arg(ms).arg(message));
}

// ---- Routing ------------------------------------------------------------------------------------------------------

QWidget* SettingsDialog::buildRoutingTab()
{
    auto* page = new QWidget;
    page->setObjectName(QStringLiteral("routingTab"));

    auto* intro = new QLabel(tr("Rules are tried from the top; the first whose pattern and conditions match decides. "
                                "Targets are a fallback chain such as \"deepseek/deepseek-chat -> anthropic/*\". "
                                "Conditions: thinking=true; tokens_over=150000; has_images=true; "
                                "tools_include=web_search; client=claude-code."),
        page);
    intro->setWordWrap(true);

    m_routeModel = new RouteTableModel(&m_editor, this);
    m_routesTable = new QTableView(page);
    m_routesTable->setObjectName(QStringLiteral("routesTable"));
    m_routesTable->setModel(m_routeModel);
    m_routesTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_routesTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_routesTable->setDragEnabled(true);
    m_routesTable->setAcceptDrops(true);
    m_routesTable->setDropIndicatorShown(true);
    m_routesTable->setDragDropOverwriteMode(false);
    m_routesTable->setDragDropMode(QAbstractItemView::InternalMove);
    m_routesTable->setDefaultDropAction(Qt::MoveAction);
    m_routesTable->horizontalHeader()->setSectionResizeMode(RouteTableModel::TargetsColumn, QHeaderView::Stretch);
    m_routesTable->setColumnWidth(RouteTableModel::MatchColumn, 180);
    m_routesTable->setColumnWidth(RouteTableModel::ConditionsColumn, 200);

    auto* addButton = new QPushButton(tr("Add"), page);
    addButton->setObjectName(QStringLiteral("addRouteButton"));
    auto* removeButton = new QPushButton(tr("Remove"), page);
    removeButton->setObjectName(QStringLiteral("removeRouteButton"));
    auto* upButton = new QPushButton(tr("Move up"), page);
    upButton->setObjectName(QStringLiteral("moveUpButton"));
    auto* downButton = new QPushButton(tr("Move down"), page);
    downButton->setObjectName(QStringLiteral("moveDownButton"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(addButton);
    buttons->addWidget(removeButton);
    buttons->addWidget(upButton);
    buttons->addWidget(downButton);
    buttons->addStretch();

    m_tryModelEdit = new QLineEdit(page);
    m_tryModelEdit->setObjectName(QStringLiteral("tryModelEdit"));
    m_tryModelEdit->setPlaceholderText(tr("Try a model name, e.g. claude-sonnet-4-5"));
    m_tryModelResult = new QLabel(page);
    m_tryModelResult->setObjectName(QStringLiteral("tryModelResult"));
    m_tryModelResult->setWordWrap(true);
    m_tryModelResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* tryBox = new QGroupBox(tr("Try a model name"), page);
    auto* tryLayout = new QVBoxLayout(tryBox);
    tryLayout->addWidget(m_tryModelEdit);
    tryLayout->addWidget(m_tryModelResult);

    auto* layout = new QVBoxLayout(page);
    layout->addWidget(intro);
    layout->addWidget(m_routesTable, 1);
    layout->addLayout(buttons);
    layout->addWidget(tryBox);

    connect(addButton, &QPushButton::clicked, this, &SettingsDialog::addRoute);
    connect(removeButton, &QPushButton::clicked, this, &SettingsDialog::removeRoute);
    connect(upButton, &QPushButton::clicked, this, [this] { moveSelectedRoute(-1); });
    connect(downButton, &QPushButton::clicked, this, [this] { moveSelectedRoute(1); });
    connect(m_tryModelEdit, &QLineEdit::textChanged, this, &SettingsDialog::updateTryModel);
    connect(m_routeModel, &QAbstractItemModel::dataChanged, this, &SettingsDialog::updateTryModel);
    connect(m_routeModel, &QAbstractItemModel::rowsMoved, this, &SettingsDialog::updateTryModel);
    connect(m_routeModel, &QAbstractItemModel::rowsInserted, this, &SettingsDialog::updateTryModel);
    connect(m_routeModel, &QAbstractItemModel::rowsRemoved, this, &SettingsDialog::updateTryModel);
    return page;
}

void SettingsDialog::addRoute()
{
    commitProviderForm();
    const QStringList providers = m_editor.providerIds();
    ConfigEditor::Route route;
    route.match = QStringLiteral("my-model");
    if (!providers.isEmpty())
        route.to = QStringList {providers.first() + QStringLiteral("/*")};
    m_routeModel->appendRoute(route);
    const QModelIndex index = m_routeModel->index(m_routeModel->rowCount() - 1, RouteTableModel::MatchColumn);
    m_routesTable->setCurrentIndex(index);
    m_routesTable->edit(index);
}

void SettingsDialog::removeRoute()
{
    const QModelIndex current = m_routesTable->currentIndex();
    if (current.isValid())
        m_routeModel->removeRows(current.row(), 1);
}

void SettingsDialog::moveSelectedRoute(int delta)
{
    const QModelIndex current = m_routesTable->currentIndex();
    if (!current.isValid())
        return;
    const int row = current.row();
    const int target = row + delta;
    if (target < 0 || target >= m_routeModel->rowCount())
        return;
    // moveRows' destination is counted before the move: one past the target when moving down.
    if (m_routeModel->moveRows(QModelIndex(), row, 1, QModelIndex(), delta > 0 ? target + 1 : target))
        m_routesTable->setCurrentIndex(m_routeModel->index(target, current.column()));
}

// The same resolution as `switchyard route resolve --model NAME`, on the config as edited here.
void SettingsDialog::updateTryModel()
{
    const QString model = m_tryModelEdit->text().trimmed();
    if (model.isEmpty()) {
        m_tryModelResult->clear();
        m_tryModelResult->setToolTip(QString());
        return;
    }
    const Result<Config> config = m_editor.parse();
    if (!config.ok()) {
        m_tryModelResult->setText(tr("The settings are not valid yet: %1").arg(config.error()));
        return;
    }
    const Router router(&config.value());
    const Result<RouteDecision> decision = router.resolve(model);
    if (!decision.ok()) {
        m_tryModelResult->setText(tr("No rule matches: %1").arg(decision.error()));
        m_tryModelResult->setToolTip(QString());
        return;
    }
    QStringList chain;
    for (const ResolvedTarget& t : decision->chain) {
        QString target = t.provider->id + QLatin1Char('/') + t.upstreamModel;
        if (!t.effort.isEmpty())
            target += QStringLiteral(" (") + t.effort + QLatin1Char(')');
        else if (t.thinkingBudget >= 0)
            target += QStringLiteral(" (%1)").arg(t.thinkingBudget);
        chain.append(target);
    }
    const QString chainText = chain.join(QStringLiteral(" \u2192 "));
    if (decision->via == QLatin1String("rule")) {
        m_tryModelResult->setText(tr("Rule %1 (match \"%2\") \u2192 %3")
                                      .arg(decision->ruleIndex + 1)
                                      .arg(config->routes.at(decision->ruleIndex).match, chainText));
    } else {
        m_tryModelResult->setText(tr("Named directly (%1) \u2192 %2").arg(decision->via, chainText));
    }
    m_tryModelResult->setToolTip(decision->trace.join(QLatin1Char('\n')));
}

// ---- Accounts -----------------------------------------------------------------------------------------------------

QWidget* SettingsDialog::buildAccountsTab()
{
    auto* page = new QWidget;
    page->setObjectName(QStringLiteral("accountsTab"));

    m_accountsTable = new QTableWidget(0, 7, page);
    m_accountsTable->setObjectName(QStringLiteral("accountsTable"));
    m_accountsTable->setHorizontalHeaderLabels(
        {tr("Account"), tr("Type"), tr("Label / email"), tr("State"), tr("Plan"), tr("Quota"), tr("Cooldown")});
    m_accountsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_accountsTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_accountsTable->horizontalHeader()->setStretchLastSection(true);
    m_accountsTable->verticalHeader()->hide();

    m_loginProviderCombo = new QComboBox(page);
    m_loginProviderCombo->setObjectName(QStringLiteral("loginProviderCombo"));
    m_loginProviderCombo->addItem(tr("ChatGPT (Codex)"), QStringLiteral("chatgpt"));
    m_loginProviderCombo->addItem(tr("Claude"), QStringLiteral("claude"));
    m_loginProviderCombo->addItem(tr("Google (Gemini Code Assist)"), QStringLiteral("google"));
    auto* loginButton = new QPushButton(tr("Log in…"), page);
    loginButton->setObjectName(QStringLiteral("loginButton"));
    auto* logoutButton = new QPushButton(tr("Log out"), page);
    logoutButton->setObjectName(QStringLiteral("logoutButton"));
    m_importSourceCombo = new QComboBox(page);
    m_importSourceCombo->setObjectName(QStringLiteral("importSourceCombo"));
    m_importSourceCombo->addItem(tr("Codex CLI login"), QStringLiteral("codex"));
    m_importSourceCombo->addItem(tr("Claude Code login"), QStringLiteral("claude"));
    m_importSourceCombo->addItem(tr("Gemini CLI login"), QStringLiteral("gemini"));
    auto* importButton = new QPushButton(tr("Import"), page);
    importButton->setObjectName(QStringLiteral("importButton"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_loginProviderCombo);
    buttons->addWidget(loginButton);
    buttons->addWidget(logoutButton);
    buttons->addSpacing(16);
    buttons->addWidget(m_importSourceCombo);
    buttons->addWidget(importButton);
    buttons->addStretch();

    m_accountsStatusLabel = new QLabel(page);
    m_accountsStatusLabel->setObjectName(QStringLiteral("accountsStatusLabel"));
    m_accountsStatusLabel->setWordWrap(true);
    m_accountsStatusLabel->setOpenExternalLinks(true);
    m_accountsStatusLabel->setTextInteractionFlags(Qt::TextBrowserInteraction);

    m_credentialStatusTable = new QTableWidget(0, 5, page);
    m_credentialStatusTable->setObjectName(QStringLiteral("credentialStatusTable"));
    m_credentialStatusTable->setHorizontalHeaderLabels(
        {tr("Provider"), tr("Credential"), tr("State"), tr("Cooldown"), tr("Last error")});
    m_credentialStatusTable->horizontalHeader()->setStretchLastSection(true);
    m_credentialStatusTable->verticalHeader()->hide();
    m_credentialStatusTable->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto* layout = new QVBoxLayout(page);
    layout->addWidget(new QLabel(tr("Subscription logins"), page));
    layout->addWidget(m_accountsTable, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_accountsStatusLabel);
    layout->addWidget(new QLabel(tr("Every credential of the running gateway"), page));
    layout->addWidget(m_credentialStatusTable, 1);

    const bool haveAccounts = m_service && m_service->accounts();
    for (QWidget* w :
        {static_cast<QWidget*>(loginButton), static_cast<QWidget*>(logoutButton), static_cast<QWidget*>(importButton)})
        w->setEnabled(haveAccounts);
    if (!haveAccounts)
        setAccountsStatus(tr("Accounts are not available: the secret store is not open."));

    connect(loginButton, &QPushButton::clicked, this, &SettingsDialog::login);
    connect(logoutButton, &QPushButton::clicked, this, &SettingsDialog::logout);
    connect(importButton, &QPushButton::clicked, this, &SettingsDialog::importLogin);
    return page;
}

void SettingsDialog::setAccountsStatus(const QString& text)
{
    m_accountsStatusLabel->setText(text);
}

void SettingsDialog::refreshAccounts()
{
    if (!m_accountsTable)
        return;
    // Cooldowns and states per credential, from the status API's JSON.
    struct CredentialState
    {
        QString state;
        qint64 cooldownMs = 0;
        QString lastError;
    };
    QHash<QString, CredentialState> states;
    m_credentialStatusTable->setRowCount(0);
    if (m_service && m_service->credentials()) {
        const QJsonObject status = m_service->credentials()->status();
        for (const QJsonValue& pv : status.value(QStringLiteral("providers")).toArray()) {
            const QJsonObject p = pv.toObject();
            for (const QJsonValue& cv : p.value(QStringLiteral("credentials")).toArray()) {
                const QJsonObject c = cv.toObject();
                CredentialState s;
                s.state = c.value(QStringLiteral("state")).toString();
                s.cooldownMs = qint64(c.value(QStringLiteral("cooldown_remaining_ms")).toDouble());
                const QJsonObject last = c.value(QStringLiteral("last_error")).toObject();
                if (!last.isEmpty())
                    s.lastError = QStringLiteral("%1 %2")
                                      .arg(last.value(QStringLiteral("status")).toInt())
                                      .arg(last.value(QStringLiteral("message")).toString());
                const QString id = c.value(QStringLiteral("id")).toString();
                states.insert(id, s);
                const int row = m_credentialStatusTable->rowCount();
                m_credentialStatusTable->insertRow(row);
                m_credentialStatusTable->setItem(row, 0, readOnlyItem(p.value(QStringLiteral("id")).toString()));
                QString name = c.value(QStringLiteral("label")).toString();
                name = name.isEmpty() ? id : QStringLiteral("%1 (%2)").arg(name, id);
                m_credentialStatusTable->setItem(row, 1, readOnlyItem(name));
                m_credentialStatusTable->setItem(row, 2, readOnlyItem(s.state));
                m_credentialStatusTable->setItem(
                    row, 3, readOnlyItem(s.cooldownMs > 0 ? formatDuration(s.cooldownMs) : QString()));
                m_credentialStatusTable->setItem(row, 4, readOnlyItem(s.lastError));
            }
        }
    }

    const QString selected
        = m_accountsTable->currentRow() >= 0 && m_accountsTable->item(m_accountsTable->currentRow(), 0)
        ? m_accountsTable->item(m_accountsTable->currentRow(), 0)->text()
        : QString();
    m_accountsTable->setRowCount(0);
    if (!m_service || !m_service->accounts())
        return;
    for (const Account& a : m_service->accounts()->accounts()) {
        const int row = m_accountsTable->rowCount();
        m_accountsTable->insertRow(row);
        m_accountsTable->setItem(row, 0, readOnlyItem(a.id));
        m_accountsTable->setItem(row, 1, readOnlyItem(a.type));
        QString label = a.label.isEmpty() ? a.email : a.label;
        if (!a.email.isEmpty() && label != a.email)
            label += QStringLiteral(" <") + a.email + QLatin1Char('>');
        m_accountsTable->setItem(row, 2, readOnlyItem(label));
        QString state = accountStateName(a.state);
        if (!a.lastError.isEmpty())
            state += QStringLiteral(": ") + a.lastError;
        m_accountsTable->setItem(row, 3, readOnlyItem(state));
        m_accountsTable->setItem(row, 4, readOnlyItem(a.plan));
        QStringList quota;
        for (auto it = a.quota.begin(); it != a.quota.end(); ++it)
            quota.append(it.key() + QLatin1Char('=') + it.value().toVariant().toString());
        auto* quotaItem = readOnlyItem(quota.join(QStringLiteral(", ")));
        quotaItem->setToolTip(quota.join(QLatin1Char('\n')));
        m_accountsTable->setItem(row, 5, quotaItem);
        const CredentialState s = states.value(a.id);
        m_accountsTable->setItem(row, 6, readOnlyItem(s.cooldownMs > 0 ? formatDuration(s.cooldownMs) : QString()));
        if (a.id == selected)
            m_accountsTable->setCurrentCell(row, 0);
    }
}

bool SettingsDialog::confirmTerms(const QString& providerId)
{
    const OAuthProviderSpec* spec = m_service->accounts()->spec(providerId);
    if (!spec || spec->terms.isEmpty())
        return true;
    if (m_confirmer)
        return m_confirmer(tr("Before you continue"), spec->terms);
    return QMessageBox::information(this, tr("Before you continue"), spec->terms, QMessageBox::Ok | QMessageBox::Cancel)
        == QMessageBox::Ok;
}

void SettingsDialog::login()
{
    AccountManager* accounts = m_service ? m_service->accounts() : nullptr;
    if (!accounts)
        return;
    const QString providerId = m_loginProviderCombo->currentData().toString();
    const OAuthProviderSpec* spec = accounts->spec(providerId);
    if (!spec) {
        setAccountsStatus(tr("Unknown login provider \"%1\".").arg(providerId));
        return;
    }
    if (!confirmTerms(providerId))
        return;
    if (m_login)
        m_login->cancel();
    auto* login = new OAuthLogin(*spec, &systemClock(), this);
    m_login = login;
    connect(login, &OAuthLogin::authorizationUrlReady, this, [this](const QUrl& url) {
        setAccountsStatus(tr("Finish the login in your browser. If no browser opened, open <a href=\"%1\">this "
                             "link</a>.")
                              .arg(url.toString(QUrl::FullyEncoded).toHtmlEscaped()));
        if (m_urlOpener)
            m_urlOpener(url);
        else
            QDesktopServices::openUrl(url);
    });
    connect(login, &OAuthLogin::succeeded, this, [this, login, providerId](const TokenSet& tokens) {
        login->deleteLater();
        AccountManager* accounts = m_service->accounts();
        if (!accounts)
            return;
        setAccountsStatus(tr("Signed in; reading the account…"));
        accounts->addAccount(providerId, tokens, QStringLiteral("login"),
            [self = QPointer<SettingsDialog>(this)](bool ok, const Account& account, const QString& error) {
                if (!self)
                    return;
                self->setAccountsStatus(ok ? tr("Added %1.").arg(account.email.isEmpty() ? account.id : account.email)
                                           : tr("Login failed: %1").arg(error));
                self->refreshAccounts();
            });
    });
    connect(login, &OAuthLogin::failed, this, [this, login](const OAuthError& error) {
        login->deleteLater();
        setAccountsStatus(tr("Login failed: %1").arg(error.message));
    });
    setAccountsStatus(tr("Starting the login…"));
    login->start(OAuthLogin::Mode::Loopback);
}

void SettingsDialog::logout()
{
    AccountManager* accounts = m_service ? m_service->accounts() : nullptr;
    const int row = m_accountsTable->currentRow();
    if (!accounts || row < 0 || !m_accountsTable->item(row, 0))
        return;
    const QString id = m_accountsTable->item(row, 0)->text();
    const QString title = tr("Log out");
    const QString text = tr("Remove the account %1 and its stored tokens?").arg(id);
    if (m_confirmer ? !m_confirmer(title, text) : QMessageBox::question(this, title, text) != QMessageBox::Yes)
        return;
    accounts->removeAccount(id, [self = QPointer<SettingsDialog>(this), id](bool ok, const QString& error) {
        if (!self)
            return;
        self->setAccountsStatus(ok ? tr("Removed %1.").arg(id) : tr("Could not remove %1: %2").arg(id, error));
        self->refreshAccounts();
    });
}

void SettingsDialog::importLogin()
{
    AccountManager* accounts = m_service ? m_service->accounts() : nullptr;
    if (!accounts)
        return;
    const QString which = m_importSourceCombo->currentData().toString();
    const QString path
        = m_importPathProvider ? m_importPathProvider(which) : defaultImportPath(which, processEnvironment());
    const Result<ImportedLogin> imported = readImportFile(which, path);
    if (!imported.ok()) {
        setAccountsStatus(tr("Import failed: %1").arg(imported.error()));
        return;
    }
    if (!confirmTerms(imported->providerId))
        return;
    accounts->addAccount(imported->providerId, imported->tokens, imported->source,
        [self = QPointer<SettingsDialog>(this)](bool ok, const Account& account, const QString& error) {
            if (!self)
                return;
            self->setAccountsStatus(ok ? tr("Imported %1.").arg(account.email.isEmpty() ? account.id : account.email)
                                       : tr("Import failed: %1").arg(error));
            self->refreshAccounts();
        });
}

// ---- General ------------------------------------------------------------------------------------------------------

QWidget* SettingsDialog::buildGeneralTab()
{
    auto* page = new QWidget;
    page->setObjectName(QStringLiteral("generalTab"));

    m_listenEdit = new QLineEdit(page);
    m_listenEdit->setObjectName(QStringLiteral("listenEdit"));
    m_listenEdit->setPlaceholderText(QStringLiteral("127.0.0.1:3790"));

    m_gatewayKeysTable = new QTableWidget(0, 2, page);
    m_gatewayKeysTable->setObjectName(QStringLiteral("gatewayKeysTable"));
    m_gatewayKeysTable->setHorizontalHeaderLabels({tr("Client ID"), tr("Key")});
    m_gatewayKeysTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_gatewayKeysTable->verticalHeader()->hide();
    m_gatewayKeysTable->setItemDelegateForColumn(1, new PasswordDelegate(m_gatewayKeysTable));
    m_gatewayKeysTable->setToolTip(tr("Clients must present one of these keys. Type a new key to keep it in the "
                                      "keychain, or enter env:NAME."));
    auto* addKey = new QPushButton(tr("Add key"), page);
    addKey->setObjectName(QStringLiteral("addGatewayKeyButton"));
    auto* removeKey = new QPushButton(tr("Remove key"), page);
    removeKey->setObjectName(QStringLiteral("removeGatewayKeyButton"));
    auto* keyButtons = new QHBoxLayout;
    keyButtons->addWidget(addKey);
    keyButtons->addWidget(removeKey);
    keyButtons->addStretch();

    m_logLevelCombo = new QComboBox(page);
    m_logLevelCombo->setObjectName(QStringLiteral("logLevelCombo"));
    m_logLevelCombo->addItem(tr("Info"), QStringLiteral("info"));
    m_logLevelCombo->addItem(tr("Debug"), QStringLiteral("debug"));
    m_logLevelCombo->addItem(tr("Warnings only"), QStringLiteral("warning"));

    m_retentionSpin = new QSpinBox(page);
    m_retentionSpin->setObjectName(QStringLiteral("retentionSpin"));
    m_retentionSpin->setRange(1, 36500);
    m_retentionSpin->setSuffix(tr(" days"));

    m_languageCombo = new QComboBox(page);
    m_languageCombo->setObjectName(QStringLiteral("languageCombo"));
    m_languageCombo->addItem(tr("System"), QStringLiteral("system"));
    m_languageCombo->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_languageCombo->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_languageCombo->addItem(QStringLiteral("\u7b80\u4f53\u4e2d\u6587"), QStringLiteral("zh_CN"));

    auto* form = new QFormLayout(page);
    form->addRow(tr("Listen on:"), m_listenEdit);
    form->addRow(tr("Gateway keys:"), m_gatewayKeysTable);
    form->addRow(QString(), keyButtons);
    form->addRow(tr("Log level:"), m_logLevelCombo);
    form->addRow(tr("Keep usage for:"), m_retentionSpin);
    form->addRow(tr("Language:"), m_languageCombo);
    form->addRow(QString(), new QLabel(tr("The language applies the next time Switchyard starts."), page));

    connect(addKey, &QPushButton::clicked, this, &SettingsDialog::addGatewayKey);
    connect(removeKey, &QPushButton::clicked, this, [this] {
        if (m_gatewayKeysTable->currentRow() >= 0)
            m_gatewayKeysTable->removeRow(m_gatewayKeysTable->currentRow());
    });
    // A key typed into the key column is a new secret (kept until Save); env:/keychain: are references.
    connect(m_gatewayKeysTable, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (m_loadingForm || item->column() != 1)
            return;
        const QString text = item->text().trimmed();
        if (text == SecretMask)
            return;
        m_loadingForm = true;
        if (text.isEmpty()) { // nothing typed: show what is kept
            const QString original = item->data(OriginalKeyRole).toString();
            item->setText(!item->data(NewSecretRole).toString().isEmpty() ? SecretMask
                    : isReference(original) || original.isEmpty()         ? original
                                                                          : tr("(written in the config file)"));
        } else if (isReference(text)) {
            item->setData(OriginalKeyRole, text);
            item->setData(NewSecretRole, QVariant());
        } else if (!text.isEmpty()) {
            item->setData(NewSecretRole, text);
            item->setText(SecretMask);
        }
        m_loadingForm = false;
    });
    return page;
}

void SettingsDialog::addGatewayKey()
{
    const int row = m_gatewayKeysTable->rowCount();
    m_gatewayKeysTable->insertRow(row);
    m_gatewayKeysTable->setItem(row, 0, new QTableWidgetItem(QStringLiteral("client-%1").arg(row + 1)));
    m_gatewayKeysTable->setItem(row, 1, new QTableWidgetItem());
    m_gatewayKeysTable->setCurrentCell(row, 1);
    m_gatewayKeysTable->editItem(m_gatewayKeysTable->item(row, 1));
}

void SettingsDialog::loadGeneral()
{
    m_loadingForm = true;
    m_listenEdit->setText(m_editor.listen());
    m_gatewayKeysTable->setRowCount(0);
    for (const ConfigEditor::GatewayKey& k : m_editor.gatewayKeys()) {
        const int row = m_gatewayKeysTable->rowCount();
        m_gatewayKeysTable->insertRow(row);
        m_gatewayKeysTable->setItem(row, 0, new QTableWidgetItem(k.id));
        auto* key = new QTableWidgetItem(isReference(k.key) ? k.key : tr("(written in the config file)"));
        key->setData(OriginalKeyRole, k.key);
        m_gatewayKeysTable->setItem(row, 1, key);
    }
    m_logLevelCombo->setCurrentIndex(qMax(0, m_logLevelCombo->findData(m_editor.logLevel())));
    m_retentionSpin->setValue(m_editor.retentionDays());
    m_languageCombo->setCurrentIndex(qMax(0, m_languageCombo->findData(m_editor.language())));
    m_loadingForm = false;
}

void SettingsDialog::commitGeneral()
{
    m_editor.setListen(m_listenEdit->text().trimmed());
    QList<ConfigEditor::GatewayKey> keys;
    for (int row = 0; row < m_gatewayKeysTable->rowCount(); ++row) {
        const QTableWidgetItem* id = m_gatewayKeysTable->item(row, 0);
        const QTableWidgetItem* key = m_gatewayKeysTable->item(row, 1);
        ConfigEditor::GatewayKey k;
        k.id = id ? id->text().trimmed() : QString();
        if (key && !key->data(NewSecretRole).toString().isEmpty())
            k.key = QStringLiteral("keychain:gateway-") + k.id; // the secret is stored on Save
        else if (key)
            k.key = key->data(OriginalKeyRole).toString();
        keys.append(k);
    }
    m_editor.setGatewayKeys(keys);
    if (m_retentionSpin->value() != m_editor.retentionDays())
        m_editor.setRetentionDays(m_retentionSpin->value());
    if (m_logLevelCombo->currentData().toString() != m_editor.logLevel())
        m_editor.setLogLevel(m_logLevelCombo->currentData().toString());
    if (m_languageCombo->currentData().toString() != m_editor.language())
        m_editor.setLanguage(m_languageCombo->currentData().toString());
}

// ---- Save ---------------------------------------------------------------------------------------------------------

void SettingsDialog::save()
{
    if (m_savesPending > 0)
        return;
    commitProviderForm();
    commitGeneral();
    const QString error = m_editor.validate();
    if (!error.isEmpty()) {
        showError(tr("Not saved: %1").arg(error));
        if (error.contains(QLatin1String("providers[")))
            m_tabs->setCurrentIndex(0);
        else if (error.contains(QLatin1String("routes[")))
            m_tabs->setCurrentIndex(1);
        else if (error.contains(QLatin1String("server.")) || error.contains(QLatin1String("ui.")))
            m_tabs->setCurrentIndex(3);
        return;
    }

    // Keys first (into the secret store), then the file that references them.
    struct PendingSecret
    {
        bool provider;
        QString id;
        QString secret;
    };
    QList<PendingSecret> secrets;
    const QStringList providerIds = m_editor.providerIds();
    for (auto it = m_pendingKeys.cbegin(); it != m_pendingKeys.cend(); ++it) {
        if (providerIds.contains(it.key()))
            secrets.append({true, it.key(), it.value()});
    }
    for (int row = 0; row < m_gatewayKeysTable->rowCount(); ++row) {
        const QTableWidgetItem* id = m_gatewayKeysTable->item(row, 0);
        const QTableWidgetItem* key = m_gatewayKeysTable->item(row, 1);
        if (id && key && !key->data(NewSecretRole).toString().isEmpty())
            secrets.append({false, id->text().trimmed(), key->data(NewSecretRole).toString()});
    }
    if (secrets.isEmpty()) {
        writeFile();
        return;
    }
    SecretStore* store = m_service ? m_service->secretStore() : nullptr;
    if (!store) {
        showError(tr("Not saved: keys can only be kept when the secret store is open."));
        return;
    }
    m_saveErrors.clear();
    m_savesPending = int(secrets.size());
    m_saveButton->setEnabled(false);
    const QPointer<SettingsDialog> self(this);
    for (const PendingSecret& s : secrets) {
        auto done = [self, s](bool ok, const QString& error) {
            if (!self)
                return;
            if (ok && s.provider)
                self->m_pendingKeys.remove(s.id);
            if (!ok)
                self->m_saveErrors.append(tr("%1: %2").arg(s.id, error));
            if (--self->m_savesPending > 0)
                return;
            self->m_saveButton->setEnabled(true);
            if (!self->m_saveErrors.isEmpty()) {
                self->showError(tr("Not saved: the keychain refused a key (%1)")
                                    .arg(self->m_saveErrors.join(QStringLiteral("; "))));
                return;
            }
            self->writeFile();
        };
        if (s.provider)
            m_editor.setProviderApiKey(s.id, s.secret, store, done);
        else
            m_editor.setGatewayKeySecret(s.id, s.secret, store, done);
    }
}

void SettingsDialog::writeFile()
{
    QString error;
    if (!m_editor.save(m_configPath, &error)) {
        showError(tr("Not saved: %1").arg(error));
        return;
    }
    showError(QString());
    // The stored keys are now credentials of the file; show them as such.
    m_pendingKeys.clear();
    loadProviderForm(m_currentProvider);
    loadGeneral();
    Q_EMIT saved(m_configPath);
    accept();
}

} // namespace sy
