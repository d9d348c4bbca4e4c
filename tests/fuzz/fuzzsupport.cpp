// Linked into every fuzz target: log lines are still formatted (that code runs on bad input too), but they go
// nowhere. Writing one warning per input to stderr made the stream decoders' target several times slower.

#include <QtGlobal>

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
    qInstallMessageHandler([](QtMsgType, const QMessageLogContext&, const QString&) {});
    return 0;
}
