#include "filesecretstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <QLockFile>
#include <QSaveFile>
#include <QStandardPaths>

namespace sy {

namespace {

constexpr int FormatVersion = 1;
constexpr int LockTimeoutMs = 2000;

constexpr QFile::Permissions OwnerOnlyFile = QFile::ReadOwner | QFile::WriteOwner;
constexpr QFile::Permissions OwnerOnlyDirectory = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
constexpr QFile::Permissions GroupOrOther
    = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;

QString canonicalOrClean(const QString& path)
{
    const QString canonical = QFileInfo(path).canonicalFilePath();
    return canonical.isEmpty() ? QDir::cleanPath(QFileInfo(path).absoluteFilePath()) : canonical;
}

} // namespace

FileSecretStore::FileSecretStore(const QString& filePath, QObject* parent)
    : FileSecretStore(filePath, DirectoryOwnership::Detect, parent)
{
}

FileSecretStore::FileSecretStore(const QString& filePath, DirectoryOwnership ownership, QObject* parent)
    : SecretStore(parent)
    , m_path(QFileInfo(filePath).absoluteFilePath())
    , m_ownership(ownership)
{
}

FileSecretStore::~FileSecretStore() = default;

void FileSecretStore::setWriteObserverForTesting(WriteObserver observer)
{
    m_writeObserver = std::move(observer);
}

void FileSecretStore::read(const QString& key, Callback done)
{
    SecretResult result;
    const Contents contents = load();
    if (!contents.ok) {
        result = failure(SecretResult::Status::Error, contents.message);
    } else if (!contents.secrets.contains(key)) {
        result = failure(SecretResult::Status::NotFound, tr("No secret is stored under \"%1\".").arg(key));
    } else {
        const QJsonValue stored = contents.secrets.value(key);
        const auto decoded
            = QByteArray::fromBase64Encoding(stored.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!stored.isString() || !decoded)
            result = failure(SecretResult::Status::Error,
                tr("The secret \"%1\" in %2 is damaged; store it again.").arg(key, QDir::toNativeSeparators(m_path)));
        else
            result.value = *decoded;
    }
    deliver(std::move(done), std::move(result));
}

void FileSecretStore::write(const QString& key, const QByteArray& value, Callback done)
{
    deliver(std::move(done), modify(key, &value));
}

void FileSecretStore::remove(const QString& key, Callback done)
{
    deliver(std::move(done), modify(key, nullptr));
}

SecretResult FileSecretStore::modify(const QString& key, const QByteArray* value)
{
    if (!value && !QFileInfo::exists(m_path))
        return failure(SecretResult::Status::NotFound, tr("No secret is stored under \"%1\".").arg(key));

    QString message;
    if (value && !ensureDirectory(&message))
        return failure(SecretResult::Status::Error, message);

    // Another process (a second CLI run) may be doing the same read-modify-write; without the lock one of the two
    // would drop the other's key.
    QLockFile lock(m_path + QStringLiteral(".lock"));
    if (!lock.tryLock(LockTimeoutMs))
        return failure(SecretResult::Status::Error,
            tr("The secrets file %1 is locked by another process.").arg(QDir::toNativeSeparators(m_path)));

    Contents contents = load();
    if (!contents.ok)
        return failure(SecretResult::Status::Error, contents.message);

    if (value) {
        contents.secrets.insert(key, QString::fromLatin1(value->toBase64()));
    } else {
        if (!contents.secrets.contains(key))
            return failure(SecretResult::Status::NotFound, tr("No secret is stored under \"%1\".").arg(key));
        contents.secrets.remove(key);
    }
    return save(contents.secrets);
}

FileSecretStore::Contents FileSecretStore::load()
{
    Contents contents;
    const QString shownPath = QDir::toNativeSeparators(m_path);
    QFile file(m_path);
    if (!file.exists())
        return contents;

    // Ours, and it holds secrets: nobody else gets to read it, whoever loosened it.
    if (file.permissions() & GroupOrOther) {
        if (file.setPermissions(OwnerOnlyFile))
            qCWarning(lcSecrets) << "secrets file" << shownPath << "was readable by others; tightened it to 0600";
        else
            qCWarning(lcSecrets) << "secrets file" << shownPath
                                 << "is readable by others and cannot be tightened:" << file.errorString();
    }

    if (!file.open(QIODevice::ReadOnly)) {
        contents.ok = false;
        contents.message = tr("Cannot read the secrets file %1: %2").arg(shownPath, file.errorString());
        return contents;
    }
    const QByteArray data = file.readAll();
    if (data.isEmpty())
        return contents;

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        contents.ok = false;
        contents.message = parseError.error != QJsonParseError::NoError
            ? tr("The secrets file %1 is damaged (%2 at byte %3). Repair or move it; it will not be overwritten.")
                  .arg(shownPath, parseError.errorString())
                  .arg(parseError.offset)
            : tr("The secrets file %1 is damaged (not a JSON object). Repair or move it; it will not be overwritten.")
                  .arg(shownPath);
        return contents;
    }
    const QJsonObject root = document.object();
    const QJsonValue version = root.value(QLatin1String("version"));
    if (version.isDouble() && version.toInt() > FormatVersion) {
        contents.ok = false;
        contents.message = tr("The secrets file %1 was written by a newer version of Switchyard (format %2).")
                               .arg(shownPath)
                               .arg(version.toInt());
        return contents;
    }
    const QJsonValue secrets = root.value(QLatin1String("secrets"));
    if (!version.isDouble() || version.toInt() != FormatVersion || !secrets.isObject()) {
        contents.ok = false;
        contents.message
            = tr("The secrets file %1 is damaged (no \"version\": 1 or no \"secrets\" object). Repair or move it; "
                 "it will not be overwritten.")
                  .arg(shownPath);
        return contents;
    }
    contents.secrets = secrets.toObject();
    return contents;
}

SecretResult FileSecretStore::save(const QJsonObject& secrets)
{
    const QString shownPath = QDir::toNativeSeparators(m_path);
    QJsonObject root;
    root.insert(QLatin1String("version"), FormatVersion);
    root.insert(QLatin1String("secrets"), secrets);
    const QByteArray data = QJsonDocument(root).toJson(QJsonDocument::Indented);

    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return failure(
            SecretResult::Status::Error, tr("Cannot write the secrets file %1: %2").arg(shownPath, file.errorString()));
    // QSaveFile gives a new file 0666 minus the umask and an existing one its old mode; both can be readable by
    // others. Tighten the still-empty temporary file before any secret goes in; commit() keeps the mode.
    if (!file.setPermissions(OwnerOnlyFile)) {
        const QString error = file.errorString();
        file.cancelWriting();
        return failure(
            SecretResult::Status::Error, tr("Cannot make the secrets file %1 private: %2").arg(shownPath, error));
    }
    if (m_writeObserver)
        m_writeObserver(file, WriteStage::Opened);
    if (file.write(data) != data.size()) {
        const QString error = file.errorString();
        file.cancelWriting();
        return failure(SecretResult::Status::Error, tr("Cannot write the secrets file %1: %2").arg(shownPath, error));
    }
    if (m_writeObserver) {
        file.flush();
        m_writeObserver(file, WriteStage::Written);
    }
    if (!file.commit())
        return failure(
            SecretResult::Status::Error, tr("Cannot write the secrets file %1: %2").arg(shownPath, file.errorString()));
    return SecretResult {};
}

bool FileSecretStore::ensureDirectory(QString* message)
{
    const QString dirPath = QFileInfo(m_path).absolutePath();
    const QString shownDir = QDir::toNativeSeparators(dirPath);
    if (!QFileInfo(dirPath).isDir()) {
        const QString parentPath = QFileInfo(dirPath).absolutePath();
        if (!QDir().mkpath(parentPath) || !QDir().mkdir(dirPath, OwnerOnlyDirectory)) {
            if (!QFileInfo(dirPath).isDir()) {
                *message = tr("Cannot create the directory %1 for the secrets file.").arg(shownDir);
                return false;
            }
        } else {
            m_createdDirectory = true;
            qCInfo(lcSecrets) << "created" << shownDir << "with mode 0700 for the secrets file";
        }
    }
    const QFile::Permissions permissions = QFile::permissions(dirPath);
    if (permissions & GroupOrOther) {
        if (m_createdDirectory || m_ownership == DirectoryOwnership::Owned || directoryIsOurs(dirPath)) {
            if (!QFile::setPermissions(dirPath, OwnerOnlyDirectory)) {
                *message = tr("Cannot make the directory %1 private.").arg(shownDir);
                return false;
            }
            qCInfo(lcSecrets) << "tightened" << shownDir << "to mode 0700";
        } else {
            qCDebug(lcSecrets) << "secrets directory" << shownDir
                               << "is not ours; leaving its mode alone (the file itself is 0600)";
        }
    }
    return true;
}

bool FileSecretStore::directoryIsOurs(const QString& dirPath) const
{
    if (QCoreApplication::applicationName().isEmpty())
        return false; // QStandardPaths would answer the shared ~/.config itself
    const QString dir = canonicalOrClean(dirPath);
    for (const auto location :
        {QStandardPaths::AppConfigLocation, QStandardPaths::AppDataLocation, QStandardPaths::AppLocalDataLocation}) {
        const QString appDir = QStandardPaths::writableLocation(location);
        if (!appDir.isEmpty() && canonicalOrClean(appDir) == dir)
            return true;
    }
    return false;
}

SecretResult FileSecretStore::failure(SecretResult::Status status, const QString& message) const
{
    SecretResult result;
    result.status = status;
    result.message = message;
    if (status != SecretResult::Status::NotFound)
        qCWarning(lcSecrets).noquote() << message;
    return result;
}

} // namespace sy
