"""One look-up table per language over every lexicon the amount grammar reads.

A phrase is a lexicon form split into tokens exactly as article text is, so a
multi-word form (في المائة، ما يقارب، ر.س، per cent) matches token by token.
The first word of a phrase may carry a proclitic (بنحو، والمليار، لعشرين); the
match says how many characters of it to skip.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable

from .. import lexicons
from ..errors import LexiconError
from ..normalize import fold_form
from .tokens import Token, tokenize


@dataclass(frozen=True, slots=True)
class Phrase:
    category: str
    payload: Any
    words: tuple[str, ...]
    glued: tuple[bool, ...] = ()  # per word: written with no space before it (us$, ر.س)


@dataclass(frozen=True, slots=True)
class Match:
    phrase: Phrase
    end: int  # token index after the phrase
    skip: int  # characters of the first token that are a proclitic

    @property
    def category(self) -> str:
        return self.phrase.category

    @property
    def payload(self) -> Any:
        return self.phrase.payload


@dataclass(frozen=True, slots=True)
class Currency:
    unit: str
    iso: str | None
    prefix: bool
    subunit: bool
    countries: tuple[tuple[str, tuple[str, ...]], ...]
    capitals_only: bool = False  # a code that is also a word (ALL, TRY): capitals, after the number
    scale: int = 1


class PhraseTable:
    """Every phrase of one language, indexed by its first word."""

    def __init__(self, lang: str, phrases: Iterable[Phrase], proclitics: Iterable[str]):
        self.lang = lang
        self._by_first: dict[str, list[Phrase]] = {}
        phrases_list = list(phrases)
        for phrase in phrases_list:
            self._by_first.setdefault(phrase.words[0], []).append(phrase)
        for bucket in self._by_first.values():
            bucket.sort(key=lambda p: -len(p.words))
        self.proclitics = tuple(sorted({fold_form(c) for c in proclitics}, key=len, reverse=True))
        self._splits: dict[str, tuple[tuple[str, str], ...]] = {}
        self._categories: dict[str, frozenset[str]] = {}
        self.open_groups = frozenset(p.payload for p in phrases_list if p.category == "range_open")
        self.first_words = frozenset(self._by_first)
        self.indefinite_words = frozenset(p.words[0] for p in phrases_list if p.category == "indefinite")

    def matches(
        self,
        tokens: list[Token],
        i: int,
        categories: frozenset[str] | set[str],
        clitics: tuple[str, ...] | None = None,
    ) -> list[Match]:
        """All phrases of `categories` starting at token i, longest first.

        `clitics` limits which proclitics the first word may carry (None: any).
        A form found as written always beats one found by stripping a clitic.
        """
        if i >= len(tokens):
            return []
        first = tokens[i].text
        if self.categories_at(first).isdisjoint(categories):
            return []
        found = self._matches_from(tokens, i, first, 0, categories) if first in self.first_words else []
        if found or tokens[i].kind != "word":
            return found
        for clitic, rest in self.splits(first):
            if clitics is None or clitic in clitics:
                found = self._matches_from(tokens, i, rest, len(clitic), categories)
                if found:
                    return found
        return []

    def splits(self, word: str) -> tuple[tuple[str, str], ...]:
        """(clitic, rest) for each proclitic the word may carry before a known phrase word (cached)."""
        cached = self._splits.get(word)
        if cached is None:
            cached = tuple(
                (c, word[len(c) :]) for c in self.proclitics
                if word.startswith(c) and len(word) - len(c) >= 2 and word[len(c) :] in self.first_words
            )
            self._splits[word] = cached
        return cached

    def categories_at(self, word: str) -> frozenset[str]:
        """Categories of every phrase that can start with this word, as written or after a
        proclitic (cached): most look-ups ask for a category that cannot start here, and
        this set answers them without walking the phrase buckets."""
        cached = self._categories.get(word)
        if cached is None:
            found = {p.category for p in self._by_first.get(word, ())}
            for _, rest in self.splits(word):
                found.update(p.category for p in self._by_first[rest])
            cached = self._categories[word] = frozenset(found)
        return cached

    def may_start(self, token: Token) -> bool:
        """False when no phrase of any category can start at this token (`longest` is then None)."""
        return token.text in self.first_words or (token.kind == "word" and bool(self.splits(token.text)))

    def longest(self, tokens, i, categories, clitics=None) -> Match | None:
        """The longest phrase of `categories` at token i (the hot path: no lists built)."""
        if i >= len(tokens):
            return None
        token = tokens[i]
        first = token.text
        if self.categories_at(first).isdisjoint(categories):
            return None
        bucket = self._by_first.get(first)
        if bucket is not None:
            found = self._first_match(tokens, i, bucket, 0, categories)
            if found is not None:
                return found
        if token.kind != "word":
            return None
        for clitic, rest in self.splits(first):
            if clitics is None or clitic in clitics:
                found = self._first_match(tokens, i, self._by_first[rest], len(clitic), categories)
                if found is not None:
                    return found
        return None

    @staticmethod
    def _first_match(tokens, i, bucket, skip, categories) -> Match | None:
        size = len(tokens)
        for phrase in bucket:  # longest first
            if phrase.category not in categories:
                continue
            words = phrase.words
            n = len(words)
            if i + n > size:
                continue
            if n == 1 or all(tokens[i + k].text == words[k] and (tokens[i + k].glued or not phrase.glued[k]) for k in range(1, n)):
                return Match(phrase, i + n, skip)
        return None

    def _matches_from(self, tokens, i, first, skip, categories) -> list[Match]:
        out = []
        for phrase in self._by_first.get(first, ()):
            if phrase.category not in categories:
                continue
            n = len(phrase.words)
            if i + n > len(tokens):
                continue
            if all(tokens[i + k].text == phrase.words[k] and (tokens[i + k].glued or not phrase.glued[k]) for k in range(1, n)):
                out.append(Match(phrase, i + n, skip))
        return out


def _words(form: str) -> tuple[str, ...]:
    return tuple(t.text for t in tokenize(fold_form(form)))


def _glued(form: str) -> tuple[bool, ...]:
    """Which words of a form are written against the one before (a symbol inside us$, ر.س)."""
    toks = tokenize(fold_form(form))
    return tuple(k > 0 and t.glued and (t.kind == "sym" or toks[k - 1].kind == "sym") for k, t in enumerate(toks))


def _phrases(category: str, forms: Iterable[str], payload: Any = None) -> Iterable[Phrase]:
    for form in forms:
        words = _words(form)
        if not words:
            raise LexiconError(f"empty form in {category}")
        yield Phrase(category, payload, words, _glued(form))


@lru_cache(maxsize=None)
def table(lang: str) -> PhraseTable:
    """Build (once) the look-up table of one language from its lexicon files."""
    nums = lexicons.numbers(lang)
    phrases: list[Phrase] = []
    add = phrases.extend
    for entry in nums.atoms:
        add(_phrases("atom", entry.forms, Decimal(entry.value)))
    add(_phrases("needs_indefinite", nums.needs_indefinite))
    add(_phrases("teen_suffix", nums.teen_suffix))
    for entry in nums.hundreds:
        add(_phrases("hundreds", entry.forms, Decimal(entry.value)))
    add(_phrases("hundred", nums.hundred_words, Decimal(100)))
    add(_phrases("connector", nums.connectors))
    add(_phrases("indefinite", nums.indefinite))
    for frac in nums.fractions:
        add(_phrases("fraction", frac.forms, (frac.denominator, "singular")))
        add(_phrases("fraction", frac.dual, (frac.denominator, "dual")))
        add(_phrases("fraction", frac.plural, (frac.denominator, "plural")))
        add(_phrases("fraction_after", frac.after_number, (frac.denominator, "singular")))
        add(_phrases("fraction_after", frac.after_number_dual, (frac.denominator, "dual")))
    add(_phrases("fraction_over", nums.fraction_over))
    add(_phrases("fraction_over_words", nums.fraction_over_words))
    add(_phrases("decimal_of", nums.decimal_of))
    add(_phrases("part_of", nums.part_of))
    add(_phrases("decimal_point", nums.decimal_point))
    add(_phrases("reversed_decimal", nums.reversed_decimal_marks))
    add(_phrases("negative", nums.negative_words))
    add(_phrases("pronoun_before", nums.pronoun_before))
    add(_phrases("year_marker", nums.year_markers))
    add(_phrases("teen_only", nums.teen_only))
    add(_phrases("agreeing_one", nums.agreeing_one))
    add(_phrases("fraction_link", nums.fraction_links))
    add(_phrases("code", nums.codes))
    for scale in lexicons.scales(lang):
        add(_phrases("scale", scale.forms, scale))
    ords = lexicons.ordinals(lang)
    for entry in ords.units:
        add(_phrases("ordinal", entry.forms, Decimal(entry.value)))
    add(_phrases("ordinal_suffix", ords.digit_suffixes))
    add(_phrases("compound_only", ords.compound_only))
    add(_phrases("article_only", ords.article_only))
    add(_phrases("not_after_ordinal", ords.not_after_ordinal))
    cur = lexicons.currencies(lang)
    seen: dict[tuple[str, ...], Currency] = {}
    for entry in cur.currencies:
        currency = Currency(
            entry.unit, entry.iso, entry.prefix, entry.subunit,
            tuple((iso, tuple(_words(f) for f in forms)) for iso, forms in entry.countries.items()),
            scale=entry.scale,
        )
        for form in entry.forms:
            words = _words(form)
            if seen.get(words, currency) != currency:
                raise LexiconError(f"lexicons/{lang}/currencies.yaml: {form!r} is listed under two currencies")
            seen[words] = currency
            phrases.append(Phrase("currency", currency, words, (False,) * len(words)))
        for form in entry.dual:
            phrases.append(Phrase("currency", currency, _words(form), (False,) * len(_words(form))))
            phrases.append(Phrase("currency_dual", currency, _words(form), (False,) * len(_words(form))))
        for iso, forms in entry.countries.items():
            add(_phrases("country", forms, iso))
    codes = lexicons.currency_codes()
    for code in codes.codes:
        words = _words(code)
        if words not in seen:
            currency = Currency("code", code, code not in codes.after_number_only, False, (), code in codes.capital_only)
            phrases.append(Phrase("currency", currency, words, (False,) * len(words)))
    pct = lexicons.percent(lang)
    add(_phrases("percent_after", pct.after))
    add(_phrases("percent_before", pct.before))
    add(_phrases("percent_weak", pct.before_weak))
    add(_phrases("points", pct.points))
    add(_phrases("points_dual", pct.points_dual))
    quals = lexicons.qualifiers(lang)
    for entry in quals.before:
        add(_phrases("qual_before", entry.forms, (entry.qualifier, entry.in_span)))
    for entry in quals.after:
        add(_phrases("qual_after", entry.forms, (entry.qualifier, entry.in_span)))
    for n, rng in enumerate(quals.ranges):
        add(_phrases("range_open", rng.open, n))
        add(_phrases("range_middle", rng.middle, n))
    add(_phrases("change", quals.change_words))
    add(_phrases("alternative", quals.alternatives))
    return PhraseTable(lang, phrases, lexicons.clitics(lang).proclitics)


@lru_cache(maxsize=None)
def currency_adjective_first(lang: str) -> bool:
    """English puts the country before the currency (Canadian dollars), Arabic after (ريال سعودي)."""
    return lexicons.currencies(lang).adjective_position == "before"


@lru_cache(maxsize=None)
def cue_table(lang: str) -> PhraseTable:
    """The words claims are built from: metrics, periods, sources, modality, company nouns."""
    phrases: list[Phrase] = []
    add = phrases.extend
    met = lexicons.metrics(lang)
    for trigger in met.triggers:
        add(_phrases("metric", trigger.forms, (trigger.metric, trigger.object)))
    add(_phrases("share_of", met.share_of))
    add(_phrases("stake_words", met.stake_words))
    add(_phrases("discount", met.discount))
    add(_phrases("share_price", met.share_price))
    add(_phrases("part_of", met.part_of))
    add(_phrases("count", met.counts))
    add(_phrases("sale", met.sale_words))
    add(_phrases("holder", met.holder_marks))
    add(_phrases("equals", met.equals))
    add(_phrases("restates", met.restates))
    add(_phrases("in_exchange", met.in_exchange))
    add(_phrases("bought_of", met.bought_of))
    add(_phrases("named_after", met.named_after))
    add(_phrases("balance", met.balances))
    add(_phrases("growth_up", met.growth.up, 1))
    add(_phrases("growth_down", met.growth.down, -1))
    per = lexicons.periods(lang)
    for kind, forms in per.rates.items():
        add(_phrases("rate", forms, kind))
    for kind, forms in per.spans.items():
        add(_phrases("span", forms, kind))
    add(_phrases("last_word", per.last_words))
    add(_phrases("fiscal", per.fiscal))
    for offset, forms in per.relative.items():
        add(_phrases("relative", forms, offset))
    add(_phrases("by_year", per.by_year))
    add(_phrases("year_word", per.year_words))
    for month, forms in per.months.items():
        add(_phrases("month", forms, month))
    add(_phrases("same_period", per.same_period))
    add(_phrases("same_period", per.year_ago_period, "year_ago"))
    add(_phrases("period_ended", per.period_ended))
    add(_phrases("comparison", per.comparison))
    add(_phrases("reaching", per.reaching))
    add(_phrases("by_amount", per.by_amount))
    add(_phrases("month_count", per.month_counts))
    add(_phrases("end_of", per.end_of))
    add(_phrases("ending", per.ending))
    add(_phrases("month_range", per.month_range))
    src = lexicons.sources(lang)
    add(_phrases("src_before", src.before))
    add(_phrases("src_verb", src.verbs))
    add(_phrases("src_unnamed", src.unnamed))
    add(_phrases("src_analysts", src.analysts))
    add(_phrases("outlet_noun", src.outlet_nouns))
    mod = lexicons.modality(lang)
    for name in ("estimated", "projected", "conditional", "denied"):
        add(_phrases("modality", getattr(mod, name), name))
    companies = lexicons.load_model(lexicons.lang_dir(lang) / "companies.yaml", lexicons.CompanyNouns)
    add(_phrases("company_noun", companies.company_nouns))
    return PhraseTable(lang, phrases, lexicons.clitics(lang).proclitics)


def currency_countries(lang: str, raw: str) -> frozenset[str]:
    """The ISO codes an ambiguous currency word may stand for: ريال -> SAR, QAR, OMR ..."""
    words = _words(raw)
    if not words:
        return frozenset()
    for match in table(lang).matches(tokenize(fold_form(raw)), 0, {"currency"}):
        currency: Currency = match.payload
        return frozenset(iso for iso, _ in currency.countries)
    return frozenset()
