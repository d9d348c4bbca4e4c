#pragma once

#include "gateway/requestrecord.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;

namespace sy {

class GatewayService;
class RequestLogModel;

// The request log: recent requests (from the usage log when it is open) with new ones prepended live, a filter box
// and a detail pane with each attempt and the error.
class RequestLogWindow : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestLogWindow)
public:
    static constexpr int InitialRows = 500; // read from the usage log on open
    static constexpr int MaxRows = 5000; // the live list drops its oldest rows beyond this

    explicit RequestLogWindow(GatewayService* service, QWidget* parent = nullptr);
    ~RequestLogWindow() override;

    // Re-reads the newest rows from the usage log.
    void reload();
    // Rows shown (after the filter) and held.
    int visibleRows() const;
    int totalRows() const;

private:
    void onRequestCompleted(const sy::RequestRecord& record);
    void onFilterChanged(const QString& text);
    void updateDetails();
    void updateCount();

    QPointer<GatewayService> m_service;
    RequestLogModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QTableView* m_table = nullptr;
    QTextBrowser* m_detailView = nullptr;
    QLabel* m_countLabel = nullptr;
    QLabel* m_noticeLabel = nullptr;
};

} // namespace sy
