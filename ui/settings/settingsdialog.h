#pragma once

#include "config/configeditor.h"

#include <QDialog>
#include <QElapsedTimer>
#include <QHash>
#include <QPointer>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QNetworkAccessManager;
class QNetworkReply;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;
class QTableWidget;
class QUrl;

namespace sy {

class GatewayService;
class OAuthLogin;
class RouteTableModel;

// The settings dialog: providers, the model mapping table (routes), OAuth accounts and general settings. It edits
// the config file as a document (ConfigEditor) and writes it on Save, after validating it with the gateway's own
// parser; the running gateway picks the file up through its ConfigWatcher. API and gateway keys typed here go to the
// gateway's secret store, never into the file.
class SettingsDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)
public:
    SettingsDialog(GatewayService* service, const QString& configPath, QWidget* parent = nullptr);
    ~SettingsDialog() override;

    // Re-reads the config file, dropping unsaved edits.
    void reload();
    // Validates, stores typed keys, then writes the file. Asynchronous when keys are stored; emits saved() on
    // success, else shows the error in the dialog and writes nothing.
    void save();

    void done(int result) override;

    // Seams for tests; an empty function restores the default.
    // Opens a login's authorization URL. Default: QDesktopServices::openUrl.
    void setUrlOpener(std::function<void(const QUrl&)> opener) { m_urlOpener = std::move(opener); }
    // Asks the user to go on (the terms note before a login or import, removing an account). Default: a message box.
    void setConfirmer(std::function<bool(const QString& title, const QString& text)> confirmer)
    {
        m_confirmer = std::move(confirmer);
    }
    // The file to import a login from, per source ("codex", "claude", "gemini"). Default: that tool's own file.
    void setImportPathProvider(std::function<QString(const QString& source)> provider)
    {
        m_importPathProvider = std::move(provider);
    }

Q_SIGNALS:
    void saved(const QString& path);

private:
    QWidget* buildProvidersTab();
    QWidget* buildRoutingTab();
    QWidget* buildAccountsTab();
    QWidget* buildGeneralTab();

    // Providers
    void fillProviderList();
    void loadProviderForm(int index);
    void commitProviderForm();
    void addProvider();
    void removeProvider();
    void addModelRow(const ConfigEditor::Model& model);
    void removeCredential();
    void testProvider();
    void onTestFinished();

    // Routing
    void addRoute();
    void removeRoute();
    void moveSelectedRoute(int delta);
    void updateTryModel();

    // Accounts
    void refreshAccounts();
    void login();
    void logout();
    void importLogin();
    bool confirmTerms(const QString& providerId);
    void setAccountsStatus(const QString& text);

    // General
    void loadGeneral();
    void commitGeneral();
    void addGatewayKey();

    void writeFile();
    void showError(const QString& error);

    GatewayService* m_service;
    QString m_configPath;
    ConfigEditor m_editor;
    QHash<QString, QString> m_pendingKeys; // provider id -> API key typed in apiKeyEdit, stored on Save
    int m_currentProvider = -1;
    bool m_loadingForm = false;
    int m_savesPending = 0;
    QStringList m_saveErrors;

    QTabWidget* m_tabs = nullptr;
    QLabel* m_errorLabel = nullptr;
    QPushButton* m_saveButton = nullptr;

    QListWidget* m_providerList = nullptr;
    QLineEdit* m_providerIdEdit = nullptr;
    QComboBox* m_providerKindCombo = nullptr;
    QLineEdit* m_baseUrlEdit = nullptr;
    QComboBox* m_strategyCombo = nullptr;
    QTableWidget* m_modelsTable = nullptr;
    QListWidget* m_credentialsList = nullptr;
    QLineEdit* m_apiKeyEdit = nullptr;
    QPushButton* m_testButton = nullptr;
    QLabel* m_testResultLabel = nullptr;
    QNetworkAccessManager* m_nam = nullptr;
    QPointer<QNetworkReply> m_testReply;
    QElapsedTimer m_testTimer;

    RouteTableModel* m_routeModel = nullptr;
    QTableView* m_routesTable = nullptr;
    QLineEdit* m_tryModelEdit = nullptr;
    QLabel* m_tryModelResult = nullptr;

    QTableWidget* m_accountsTable = nullptr;
    QTableWidget* m_credentialStatusTable = nullptr;
    QComboBox* m_loginProviderCombo = nullptr;
    QComboBox* m_importSourceCombo = nullptr;
    QLabel* m_accountsStatusLabel = nullptr;
    QPointer<OAuthLogin> m_login;
    std::function<void(const QUrl&)> m_urlOpener;
    std::function<bool(const QString&, const QString&)> m_confirmer;
    std::function<QString(const QString&)> m_importPathProvider;

    QLineEdit* m_listenEdit = nullptr;
    QTableWidget* m_gatewayKeysTable = nullptr;
    QComboBox* m_logLevelCombo = nullptr;
    QSpinBox* m_retentionSpin = nullptr;
    QComboBox* m_languageCombo = nullptr;
};

} // namespace sy
