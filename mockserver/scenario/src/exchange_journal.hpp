#pragma once
// Feeds a journal from a scenario server's exchange records: one entry per
// exchange, the request as the scenario handler saw it (its annotation: a
// RecordedRequest* into the handler, taken over here), or,
// for a request the server refused before any handler ran, what the record
// holds of it and why it was refused.

#include <mockserve/exchange.hpp>
#include <mockserve/scenario/journal.hpp>

#include <string>

namespace mockserve::scenario::detail {

http::ExchangeObserver journal_feed(Journal& journal, std::string server);

}  // namespace mockserve::scenario::detail
