"""Claim rules on sentences we wrote ourselves: one behaviour per case, the field it fills.

Each case is an article (language, title, text, date), the amount it is about, and the
fields that claim must have; `None` means the field is empty. Negative cases say what a
rule must leave alone. The dev and sample gold measure the rules in bulk
(tests/test_claims_accuracy.py); these pin each one down.
"""

from __future__ import annotations

import pytest

from pipeline.models import Article, Claim
from pipeline.stages import Pipeline

CASES = [
    # A sum right after "that is" / "or" restates the figure before it: same entity, metric, object.
    pytest.param(
        "en", "OpenAI app costs",
        "OpenAI is spending about $15 million a day on its Sora app, Forbes said.\n"
        "At current rates that is roughly 14 million euros a day, or about $5.5 billion a year.",
        "2025-11-01", "roughly 14 million euros",
        {"entity": "OpenAI", "metric": "spending", "object": "Sora", "period": "day"}, id="restates-across-sentences"),
    pytest.param(
        "en", "OpenAI app costs",
        "OpenAI is spending about $15 million a day on its Sora app, Forbes said.\n"
        "At current rates that is roughly 14 million euros a day, or about $5.5 billion a year.",
        "2025-11-01", "about $5.5 billion",
        {"metric": "spending", "object": "Sora", "period": "year"}, id="restates-in-sentence"),
    pytest.param(
        "ar", "موبايلي", "تعود خسائر شركة موبايلي إلى ارتفاع مصاريف الزكاة بمبلغ 81 مليون ريال (21 مليون دولار) خلال الربع الثاني.",
        "2015-08-01", "21 مليون دولار", {"metric": "other", "object": "zakat_expense_change"}, id="conversion-in-brackets"),
    pytest.param(
        "en", "Microsoft", "Microsoft reported funding commitments of $13 billion, of which $11 billion had been paid.",
        "2025-11-01", "$11 billion", {"metric": "investment", "period": "none"}, id="of-which"),
    # A stake named with a sum of money is the stake's value.
    pytest.param(
        "ar", "حصة", "قالت مايكروسوفت إن حصتها في أوبن إيه آي المقدرة بنحو 20 مليار دولار تمثل 25% من الشركة.",
        "2025-11-01", "نحو 20 مليار دولار", {"metric": "stake_value", "object": "OpenAI", "period": "none"}, id="stake-in-money"),
    pytest.param(
        "en", "Microsoft", "Microsoft said it will hold 27% of the company, a stake it valued at roughly $135 billion.",
        "2025-11-01", "roughly $135 billion", {"metric": "stake_value"}, id="stake-valued-at"),
    # "$5 billion in revenue": the metric named after the sum.
    pytest.param(
        "en", "Apple", "A loss of that size would come close to the $5 billion in revenue Apple expects.",
        "2025-11-01", "$5 billion", {"metric": "revenue"}, id="in-revenue"),
    pytest.param(
        "en", "Apple", "Apple will pay $800 million in stock for the startup.",
        "2025-11-01", "$800 million", {"metric": "other"}, id="in-stock-is-no-price"),
    pytest.param(
        "ar", "أوبن إيه آي", "سمحت الصفقة للموظفين ببيع أسهم بما يصل إلى 8 مليارات دولار.",
        "2025-11-01", "ما يصل إلى 8 مليارات دولار", {"metric": "other", "period": "none"}, id="shares-worth-billions"),
    pytest.param(
        "en", "Microsoft", "Microsoft held 32.5% of the ChatGPT maker before the restructuring.",
        "2025-11-01", "32.5%", {"entity": "Microsoft", "metric": "stake", "object": "OpenAI"}, id="the-chatgpt-maker"),
    # A split year (1987/88, read by the grammar as a fraction) is a fiscal year.
    pytest.param(
        "en", "Toshiba", "Toshiba said group capital spending in 1987/88 will fall to 197 billion yen.",
        "1987-06-01", "197 billion yen", {"time": "FY1988"}, id="split-year"),
    # Money put into a company is a one-off; commitments are a balance.
    pytest.param(
        "en", "Microsoft", "Microsoft invested $2 billion in OpenAI in 2021.",
        "2025-11-01", "$2 billion", {"metric": "investment", "object": "OpenAI", "period": "none", "time": "2021"}, id="invested-in"),
    pytest.param(
        "ar", "مايكروسوفت", "بلغ مجموع التزاماتها التمويلية 13 مليار دولار.",
        "2025-11-01", "13 مليار دولار", {"period": "none"}, id="commitments-balance"),
    # "… compared with the same period, to reach X": X is the current period's figure.
    pytest.param(
        "ar", "الإيرادات",
        "ارتفعت إيرادات شركة زين خلال النصف الأول بنسبة 5% مقارنة بنفس الفترة من العام السابق لتصل إلى 400 مليون ريال.",
        "2015-08-01", "400 مليون ريال", {"metric": "revenue", "period": "half_year", "time": "2015-H1"}, id="reaching-is-current"),
    # A story framed in a past year: later figures with no time of their own hold then.
    pytest.param(
        "ar", "ترتيب شركات الاتصالات",
        "حققت شركات الاتصالات العربية نتائج قوية في العام 2014 بحسب الترتيب السنوي.\nوبلغت أرباح شركة زين نحو 700 مليون دولار.",
        "2015-08-09", "نحو 700 مليون دولار", {"entity": "Zain", "metric": "profit", "time": "2014"}, id="frame-year"),
    pytest.param(
        "en", "Microsoft", "Microsoft invested $2 billion in OpenAI in 2021. Its filing showed funding commitments of $13 billion.",
        "2025-11-01", "$13 billion", {"time": None}, id="lead-is-no-frame"),
    # A clause dated by its own year is not the article's half year.
    pytest.param(
        "ar", "أوبن إيه آي",
        "حققت شركة أوبن إيه آي إيرادات بلغت 4.3 مليار دولار في النصف الأول من 2025.\nوتوقع ألتمان أن تبلغ الإيرادات 100 مليار دولار بحلول 2027.",
        "2025-11-01", "100 مليار دولار", {"period": "year", "time": "2027"}, id="own-year-over-article-half"),
    # Expense lines name the change; a product after a spending word is the object.
    pytest.param(
        "ar", "موبايلي", "تعود خسائر شركة موبايلي إلى ارتفاع مصاريف الزكاة بمبلغ 20 مليون ريال خلال الربع الثاني.",
        "2015-08-01", "20 مليون ريال", {"metric": "other", "object": "zakat_expense_change"}, id="expense-change"),
    pytest.param(
        "ar", "أوبن إيه آي", "إذا استمر هذا المعدل فإن فاتورة «سورا» ستبلغ نحو 5 مليارات دولار سنويا.",
        "2025-11-01", "نحو 5 مليارات دولار", {"entity": "OpenAI", "metric": "spending", "object": "Sora", "period": "year"}, id="product-is-object"),
    pytest.param(
        "ar", "أوبن إيه آي", "تقدر كلفة تشغيل «سورا» على شركة أوبن إيه آي بنحو 12 مليون دولار يوميا.",
        "2025-11-01", "نحو 12 مليون دولار", {"metric": "spending", "period": "day"}, id="running-cost-a-day"),
    pytest.param(
        "en", "OpenAI", "OpenAI spends $15 million a day on its Sora app. One clip costs the company about $1.30 to make.",
        "2025-11-01", "about $1.30", {"metric": "cost", "object": "Sora", "period": "per_unit"}, id="cost-of-the-product-named-before"),
    pytest.param(
        "ar", "أوبن إيه آي", "تقدر كلفة إنتاج المقطع الواحد بنحو 4 دراهم.",
        "2025-11-01", "نحو 4 دراهم", {"metric": "cost", "period": "per_unit"}, id="cost-of-one-item-stays-cost"),
    # A condition before the clause governs it.
    pytest.param(
        "ar", "أوبن إيه آي", "وإذا استمر هذا المعدل طوال العام، فإن فاتورة «سورا» ستبلغ نحو 5 مليارات دولار سنويا.",
        "2025-11-01", "نحو 5 مليارات دولار", {"modality": "conditional"}, id="condition-in-the-clause-before"),
    # Sources: an outlet noun or a pronoun next to the verb, a named firm of analysts.
    pytest.param(
        "en", "Sora", "According to Forbes, OpenAI spends $15 million a day on Sora.\nThe magazine estimates that one clip costs OpenAI about $1.30 to make.",
        "2025-11-01", "about $1.30", {"source": "Forbes"}, id="the-magazine"),
    pytest.param(
        "ar", "سورا", "ذكرت مجلة فوربس أن أوبن إيه آي تنفق 15 مليون دولار يوميا على سورا.\nوقالت المجلة إن كلفة المقطع الواحد تبلغ نحو 4 دراهم.",
        "2025-11-01", "نحو 4 دراهم", {"source": "Forbes"}, id="qalat-al-majalla"),
    pytest.param(
        "en", "OpenAI", "Analysts at Bernstein said OpenAI lost more than $12 billion in the quarter.",
        "2025-11-01", "more than $12 billion", {"source": "Bernstein"}, id="analysts-at"),
    pytest.param(
        "en", "OpenAI", "Analysts said OpenAI lost more than $12 billion in the quarter.",
        "2025-11-01", "more than $12 billion", {"source": "analysts"}, id="analysts-unnamed"),
    pytest.param(
        "en", "OpenAI", "Sam Altman spoke on Tuesday.\nHe put the company's computing commitments at about $1.4 trillion.",
        "2025-11-01", "about $1.4 trillion", {"source": "Sam Altman"}, id="he-put"),
    pytest.param(
        "en", "OpenAI", "Brad Gerstner pointed to reports that OpenAI's revenue this year is about $13 billion.",
        "2025-11-01", "about $13 billion", {"source": "unnamed reports"}, id="pointed-to-reports"),
]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def _value(claim: Claim, name: str):
    value = getattr(claim, name)
    if name in ("entity", "object", "source"):
        return value.name if value is not None else None
    if name == "period":
        return value.kind if value is not None else None
    if name == "time":
        return value.value if value is not None else None
    return value


@pytest.mark.parametrize("lang, title, text, date, amount, expect", CASES)
def test_claims_rule(pipeline, lang, title, text, date, amount, expect):
    result = pipeline.process(Article(id="rule-1", lang=lang, title=title, text=text, date=date))
    claim = next((c for c in result.claims if c.amount.text == amount), None)
    assert claim is not None, f"no claim for {amount!r}: {[c.amount.text for c in result.claims]}"
    got = {name: _value(claim, name) for name in expect}
    assert got == expect, claim.rule
