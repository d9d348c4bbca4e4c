// Single instance: the first SingleInstance becomes the primary; a second one finds it and asks it to raise; a lock
// left by a dead process does not block.

#include "singleinstance.h"

#include <QFile>
#include <QLockFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace sy;

class TestSingleInstance : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void secondInstanceRaisesTheFirst()
    {
        auto first = std::make_unique<SingleInstance>(QStringLiteral("sy-test"), m_dir->path());
        QVERIFY(first->tryBecomePrimary());
        QVERIFY(first->isPrimary());
        QSignalSpy raised(first.get(), &SingleInstance::raiseRequested);

        SingleInstance second(QStringLiteral("sy-test"), m_dir->path());
        QVERIFY(!second.tryBecomePrimary());
        QVERIFY(!second.isPrimary());
        QVERIFY(second.sendRaise());
        QVERIFY(raised.wait(5000) || raised.count() == 1);
        QCOMPARE(raised.count(), 1);

        // Another name is another instance.
        SingleInstance other(QStringLiteral("sy-other"), m_dir->path());
        QVERIFY(other.tryBecomePrimary());

        // When the first goes away, the next one becomes the primary.
        first.reset();
        SingleInstance third(QStringLiteral("sy-test"), m_dir->path());
        QVERIFY(third.tryBecomePrimary());
        QSignalSpy raisedThird(&third, &SingleInstance::raiseRequested);
        SingleInstance fourth(QStringLiteral("sy-test"), m_dir->path());
        QVERIFY(!fourth.tryBecomePrimary());
        QVERIFY(fourth.sendRaise());
        QVERIFY(raisedThird.wait(5000) || raisedThird.count() == 1);
    }

    // A crashed primary leaves its lock file (and socket) behind: the process is gone, so the lock is stale.
    void staleLockDoesNotBlock()
    {
        SingleInstance probe(QStringLiteral("sy-crash"), m_dir->path());
        const QString lockPath = probe.lockPath();

        // A lock file exactly as QLockFile writes it, but naming a process that has exited.
        QByteArray content;
        {
            QLockFile lock(lockPath);
            QVERIFY(lock.tryLock(0));
            QFile f(lockPath);
            QVERIFY(f.open(QIODevice::ReadOnly));
            content = f.readAll();
            lock.unlock();
        }
        const pid_t child = fork();
        if (child == 0)
            _exit(0);
        QVERIFY(child > 0);
        int status = 0;
        QCOMPARE(waitpid(child, &status, 0), child);
        const qsizetype eol = content.indexOf('\n');
        QVERIFY(eol > 0);
        content = QByteArray::number(qint64(child)) + content.mid(eol);
        {
            QFile f(lockPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        // ... and a socket file nobody listens on.
        {
            QFile f(probe.socketPath());
            QVERIFY(f.open(QIODevice::WriteOnly));
        }

        SingleInstance next(QStringLiteral("sy-crash"), m_dir->path());
        QVERIFY(next.tryBecomePrimary());
        QSignalSpy raised(&next, &SingleInstance::raiseRequested);
        SingleInstance later(QStringLiteral("sy-crash"), m_dir->path());
        QVERIFY(!later.tryBecomePrimary());
        QVERIFY(later.sendRaise());
        QVERIFY(raised.wait(5000) || raised.count() == 1);
    }
};

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
