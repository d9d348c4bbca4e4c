#pragma once

#include "secretstore.h"

#include <QJsonObject>
#include <QString>

#include <functional>

class QFileDevice;

namespace sy {

// The fallback when no system keychain answers: secrets in a plain JSON file,
//   {"version": 1, "secrets": {"<key>": "<base64 of the value>"}}
// readable only by the user (file 0600, directory 0700). Not encrypted: a key stored next to the file would only
// pretend (QT-ON-DEBIAN.md §3), so isSecure() is false and the UI must say where the secrets are.
//
// - Every write replaces the file atomically (QSaveFile); the new file is made 0600 before a byte is written into
//   it, whatever the umask. A pre-existing file that others can read is tightened to 0600 when it is opened.
// - The directory is created with mode 0700. An existing directory is tightened to 0700 only when it is ours: this
//   store created it, it is the application's own config/data directory (QStandardPaths::App*Location), or the
//   caller says so (DirectoryOwnership::Owned). A user-chosen shared directory (e.g. $HOME) is left alone.
// - A damaged or unknown-version file is never overwritten: reads, writes and removes answer Error with a message
//   that names the file, until someone repairs or moves it. An empty (0-byte) file counts as an empty store.
// - Writes from several processes do not lose each other's keys (a QLockFile beside the file guards the
//   read-modify-write).
// The file work happens inside the call; the callback still comes later from the event loop, in call order.
class FileSecretStore : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileSecretStore)
public:
    enum class DirectoryOwnership {
        Detect, // ours if we create it or it is an application directory from QStandardPaths
        Owned, // always ours: tighten it to 0700
    };

    explicit FileSecretStore(const QString& filePath, QObject* parent = nullptr);
    FileSecretStore(const QString& filePath, DirectoryOwnership ownership, QObject* parent = nullptr);
    ~FileSecretStore() override;

    void read(const QString& key, Callback done) override;
    void write(const QString& key, const QByteArray& value, Callback done) override;
    void remove(const QString& key, Callback done) override;
    QString backendName() const override { return QStringLiteral("file"); }
    bool isSecure() const override { return false; }
    QString location() const override { return m_path; }

    // Test seam: called with the not-yet-committed QSaveFile twice per write: right before the contents are
    // written (stage Opened) and right before commit (stage Written). Lets a test fstat() the pending file.
    enum class WriteStage { Opened, Written };
    using WriteObserver = std::function<void(QFileDevice& pending, WriteStage stage)>;
    void setWriteObserverForTesting(WriteObserver observer);

private:
    struct Contents
    {
        bool ok = true;
        QString message; // when !ok: why the file cannot be used (never a secret)
        QJsonObject secrets;
    };

    Contents load();
    SecretResult save(const QJsonObject& secrets);
    bool ensureDirectory(QString* message);
    bool directoryIsOurs(const QString& dirPath) const;
    SecretResult modify(const QString& key, const QByteArray* value); // value == nullptr: remove
    SecretResult failure(SecretResult::Status status, const QString& message) const;

    QString m_path;
    DirectoryOwnership m_ownership;
    bool m_createdDirectory = false;
    WriteObserver m_writeObserver;
};

} // namespace sy
