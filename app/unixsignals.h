#pragma once

#include <QObject>

class QSocketNotifier;

namespace sy {

// Turns SIGINT/SIGTERM/SIGHUP into a Qt signal delivered on the event loop (self-pipe).
class UnixSignals : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignals)
public:
    explicit UnixSignals(QObject* parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void terminationRequested(int signal);

private:
    void onReadable();
    QSocketNotifier* m_notifier = nullptr;
};

} // namespace sy
