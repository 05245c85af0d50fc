"""Finance: currency conversion and rates, stock quotes and company profiles, crypto prices."""
from __future__ import annotations

from collections.abc import Mapping
from random import Random
from typing import Any

from benchmarks.embedded.catalog.common import CURRENCY_ARG, date_param
from benchmarks.embedded.core import (
    Api,
    Args,
    Domain,
    InvalidArguments,
    Param,
    Response,
    Tool,
    between,
    decimal,
    fields,
    integer,
    names,
    whole,
)
from benchmarks.embedded.entities import COIN, COINS, COMPANIES, COMPANY, CURRENCIES, CURRENCY

CATEGORY = "Finance"
RATES_DATE = "2024-06-28"


def _rate(source: str, target: str) -> float:
    return float(f"{CURRENCY[target].per_usd / CURRENCY[source].per_usd:.6g}")


def _convert(a: Args) -> Response:
    rate = _rate(a["source"], a["target"])
    return {"source": a["source"], "target": a["target"], "amount": a["amount"], "rate": rate,
            "result": round(a["amount"] * rate, 2), "date": RATES_DATE}


def _parse_symbols(raw: Any) -> str:
    """Comma-separated currency codes in canonical form; empty means every currency ("all")."""
    if not isinstance(raw, str):
        raise InvalidArguments(f"expected comma-separated currency codes, got {raw!r}")
    return ",".join(CURRENCY_ARG.parse(c.strip()) for c in raw.split(",") if c.strip()) or "all"


SYMBOLS = Domain(_parse_symbols, lambda rng: "EUR")


def _latest(a: Args) -> Response:
    wanted = [c.code for c in CURRENCIES] if a["symbols"] == "all" else a["symbols"].split(",")
    return {"base": a["base"], "date": RATES_DATE, "rates": {c: _rate(a["base"], c) for c in wanted if c != a["base"]}}


def _sample_latest(rng: Random) -> Args:
    base, *targets = rng.sample([c.code for c in CURRENCIES], rng.randint(2, 4))
    return {"base": base, "symbols": ",".join(targets)}


def _latest_facts(ctx: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(ctx["rates"][c]) for c in ctx["symbols"].split(","))


def _spoken_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _latest_answer_fields(a: Args, r: Response) -> dict[str, str]:
    return {"rate_list": ", ".join(f"1 {a['base']} = {v} {c}" for c, v in r["rates"].items())}


def _sample_convert(rng: Random) -> Args:
    source, target = rng.sample([c.code for c in CURRENCIES], 2)
    return {"source": source, "target": target, "amount": rng.choice((20, 50, 75, 100, 250, 500, 1200, 5000))}


def _price(symbol: str, *key: object) -> float:
    return round(COMPANY[symbol].base_price * between(0.85, 1.15, symbol, *key, ndigits=4), 2)


def _quote(a: Args) -> Response:
    c = COMPANY[a["symbol"]]
    price, change_pct = _price(c.symbol, "quote"), between(-3.5, 3.5, c.symbol, "change", ndigits=2)
    return {"symbol": c.symbol, "name": c.name, "exchange": c.exchange, "price": price, "currency": "USD",
            "change": round(price * change_pct / 100, 2), "change_pct": change_pct, "as_of": RATES_DATE}


def _history(a: Args) -> Response:
    key = (a["symbol"], a["date"])
    close, open_ = _price(a["symbol"], *key, "close"), _price(a["symbol"], *key, "open")
    return {"symbol": a["symbol"], "date": a["date"], "open": open_, "close": close,
            "high": round(max(open_, close) * between(1.0, 1.02, *key, "high", ndigits=4), 2),
            "low": round(min(open_, close) * between(0.98, 1.0, *key, "low", ndigits=4), 2),
            "volume": integer(2_000_000, 90_000_000, *key, "volume")}


def _profile(a: Args) -> Response:
    c = COMPANY[a["symbol"]]
    return {"symbol": c.symbol, "name": c.name, "exchange": c.exchange, "sector": c.sector,
            "headquarters": c.headquarters, "founded": c.founded,
            "employees": 100 * integer(150, 16000, c.symbol, "employees")}


COIN_CURRENCIES = ("USD", "EUR", "GBP", "JPY")


def _coin_price(a: Args) -> Response:
    coin = COIN[a["coin"]]
    usd = coin.price_usd * between(0.9, 1.1, coin.slug, "price", ndigits=4)
    price = usd * CURRENCY[a["currency"]].per_usd
    return {"coin": coin.slug, "symbol": coin.symbol, "currency": a["currency"],
            "price": round(price, 2) if price >= 10 else round(price, 4),
            "change_24h_pct": between(-6, 6, coin.slug, "change", ndigits=2),
            "market_cap_usd": round(usd * coin.supply_millions * 1e6)}


def _top_coins(a: Args) -> Response:
    return {"coins": [{"rank": i + 1, "name": c.name, "symbol": c.symbol,
                       "price_usd": round(c.price_usd * between(0.9, 1.1, c.slug, "price", ndigits=4), 4)}
                      for i, c in enumerate(COINS[: a["limit"]])]}


def _top_coins_facts(ctx: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(c["name"] for c in ctx["coins"])


SYMBOL = Param("symbol", "STRING", "Ticker symbol, e.g. AAPL", "AAPL", names([c.symbol for c in COMPANIES]))

FX = Tool("FX Rates Hub", "Foreign exchange rates and currency conversion for 29 currencies.", (
    Api("Convert Currency", "Convert an amount between two currencies (ISO 4217 codes) at the latest rate.",
        (Param("source", "STRING", "Currency to convert from, e.g. USD", "USD", CURRENCY_ARG),
         Param("target", "STRING", "Currency to convert to, e.g. EUR", "EUR", CURRENCY_ARG),
         Param("amount", "NUMBER", "Amount to convert", 100, decimal(0, 1e9, (100,)))),
        _convert, sample=_sample_convert,
        asks=("How much is {amount} {source} in {target}?",
              "Convert {amount} {source} to {target} for me.",
              "I need to exchange {amount} {source} into {target}; what will I get?",
              "What does {amount} {source} come to in {target} at today's rate?"),
        answer="{amount} {source} is {result} {target} (rate {rate}).",
        facts=fields("{result}")),
    Api("Latest Rates", "Latest exchange rates from a base currency; `symbols` limits the target currencies.",
        (Param("base", "STRING", "Base currency code, e.g. USD", "USD", CURRENCY_ARG),), _latest,
        optional=(Param("symbols", "string", "Comma-separated target currency codes, e.g. EUR,GBP", "", SYMBOLS),),
        sample=_sample_latest, ask_fields=lambda a: {"symbols": _spoken_list(a["symbols"].split(","))},
        asks=("What are the latest exchange rates from {base} to {symbols}?",
              "Give me today's {base} exchange rates against {symbols}.",
              "Look up the current rates of {base} in {symbols}."),
        answer="Latest rates: {rate_list}.", answer_fields=_latest_answer_fields,
        facts=_latest_facts),
))

STOCKS = Tool("StockQuote Pro", "Real-time and historical stock prices and company profiles.", (
    Api("Stock Quote", "Latest price and daily change of a stock by ticker symbol.", (SYMBOL,), _quote,
        asks=("What's the current stock price of {symbol}?",
              "Get me a quote for {symbol} shares.",
              "How much does one share of {symbol} cost right now?"),
        answer="{name} ({symbol}) trades at {price} USD ({change_pct}% today).",
        facts=fields("{price}")),
    Api("Historical Price", "Open, high, low and close of a stock on a past date.", (SYMBOL, date_param()),
        _history,
        asks=("What was the closing price of {symbol} on {date}?",
              "Find the {symbol} close on {date}.",
              "Look up how {symbol} closed on {date}."),
        answer="{symbol} closed at {close} USD on {date}.",
        facts=fields("{close}")),
    Api("Company Profile", "Company facts: sector, headquarters, founding year, employees.", (SYMBOL,), _profile,
        asks=("Where is the company behind {symbol} headquartered, and when was it founded?",
              "Give me the company profile for {symbol}: headquarters and founding year.",
              "When was {symbol}'s company founded and where is its head office?"),
        answer="{name} is headquartered in {headquarters} and was founded in {founded}.",
        facts=fields("{headquarters}", "{founded}")),
))

CRYPTO = Tool("CoinPulse", "Cryptocurrency prices and market-cap rankings.", (
    Api("Coin Price", "Current price of a cryptocurrency (by slug, e.g. bitcoin) in USD, EUR, GBP or JPY.",
        (Param("coin", "STRING", "Coin slug, e.g. bitcoin", "bitcoin", names([c.slug for c in COINS])),),
        _coin_price,
        optional=(Param("currency", "ENUM", "Quote currency: USD, EUR, GBP or JPY", "USD", names(COIN_CURRENCIES)),),
        sample=lambda rng: {"coin": rng.choice(COINS).slug, "currency": rng.choice(COIN_CURRENCIES)},
        asks=("What's the price of {coin} in {currency}?",
              "How much is one {coin} worth in {currency} right now?",
              "Check the current {coin} price in {currency}."),
        answer="One {coin} ({symbol}) costs {price} {currency}.",
        facts=fields("{price}")),
    Api("Top Coins", "The largest cryptocurrencies by market capitalisation.",
        (Param("limit", "NUMBER", "How many coins (1-10)", 5, whole(1, 10, (3, 4, 5))),), _top_coins,
        asks=("Which are the top {limit} cryptocurrencies by market cap?",
              "List the {limit} biggest coins by market capitalisation.",
              "Name the top {limit} cryptocurrencies ranked by market cap."),
        answer="The top {limit} coins by market cap are {coin_names}.",
        answer_fields=lambda a, r: {"coin_names": ", ".join(c["name"] for c in r["coins"])},
        facts=_top_coins_facts),
))

TOOLS = (FX, STOCKS, CRYPTO)
