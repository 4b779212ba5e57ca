#!/usr/bin/env python3
"""Counts, rates and lognormal duration fits from data/outages.csv.

Run from the repository root (Python 3, standard library only):

    python3 data/fit.py

The output is the "Fits" section of data/README.md. Rates divide a row count
by the observation window, with an exact (Garwood) 95% Poisson interval.
Durations are fitted as a lognormal by the mean and the sample standard
deviation (n - 1) of ln(duration_h), over the rows that publish a duration;
the median's 95% interval is exp(mean +- t * sd / sqrt(n)).
"""

import csv
import math
import statistics
from collections import Counter
from datetime import date
from pathlib import Path

OUTAGES = Path(__file__).with_name("outages.csv")

# Observation window: the first row (2011-04-21) to the end of 2025.
WINDOW_START = date(2011, 4, 21)
WINDOW_END = date(2025, 12, 31)
# Google Cloud rows: Compute Engine became generally available in December
# 2013, so its rates use 2014-2025.
GOOGLE_START = date(2014, 1, 1)
BIG_THREE = ("AWS", "Azure", "Google Cloud")
EVENT_CLASSES = (
    "single AZ",
    "single region",
    "multi-region",
    "global control plane",
    "global edge",
)
Z90 = statistics.NormalDist().inv_cdf(0.9)
# Student t 0.975 quantiles for 1..30 degrees of freedom.
T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)


def years(start, end):
    """Length of [start, end] in years of 365.25 days."""
    return ((end - start).days + 1) / 365.25


def read_rows():
    with OUTAGES.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def lognormal_fit(durations):
    """(n, median, (low, high), sigma, p90) of a lognormal fitted to the
    durations; (low, high) is the median's 95% interval. Needs n >= 2."""
    logs = [math.log(d) for d in durations]
    n = len(logs)
    mu = statistics.fmean(logs)
    sigma = statistics.stdev(logs)
    half = T975[n - 2] * sigma / math.sqrt(n)
    interval = (math.exp(mu - half), math.exp(mu + half))
    return n, math.exp(mu), interval, sigma, math.exp(mu + Z90 * sigma)


def poisson_cdf(k, lam):
    """P(X <= k) for X ~ Poisson(lam)."""
    term = total = math.exp(-lam)
    for i in range(1, k + 1):
        term *= lam / i
        total += term
    return total


def solve(f, target, low=0.0, high=200.0):
    """The x in [low, high] where the decreasing function f equals target."""
    for _ in range(200):
        mid = (low + high) / 2
        if f(mid) > target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def poisson_interval(k):
    """Exact two-sided 95% interval of a Poisson mean, k events observed."""
    lower = 0.0 if k == 0 else solve(lambda lam: poisson_cdf(k - 1, lam), 0.975)
    upper = solve(lambda lam: poisson_cdf(k, lam), 0.025)
    return lower, upper


def durations(rows):
    return [float(r["duration_h"]) for r in rows if r["duration_h"]]


def print_counts(rows):
    print(f"rows: {len(rows)}")
    print("primary cause (cause_class):")
    for cause, n in Counter(r["cause_class"] for r in rows).most_common():
        print(f"  {n:2d}  {cause}")
    cascaded = Counter(r["cascaded"] for r in rows)
    print(
        f"cascaded: yes {cascaded['yes']}, no {cascaded['no']}, "
        f"unknown {cascaded['unknown']}"
    )


def print_fits(rows):
    print()
    print("lognormal fit of duration_h by scope (rows with a published duration)")
    print(
        f"  {'scope':<22} {'rows':>4} {'n':>3} {'median h [95% CI]':>19} {'sigma':>6} "
        f"{'p90 h':>6} {'sample median h':>16}"
    )
    for scope in EVENT_CLASSES:
        in_scope = [r for r in rows if r["scope"] == scope]
        hours = durations(in_scope)
        n, median, (low, high), sigma, p90 = lognormal_fit(hours)
        median_text = f"{median:.1f} [{low:.1f}, {high:.1f}]"
        print(
            f"  {scope:<22} {len(in_scope):>4} {n:>3} {median_text:>19} {sigma:>6.2f} "
            f"{p90:>6.1f} {statistics.median(hours):>16.2f}"
        )
    others = [r for r in rows if r["scope"] not in EVENT_CLASSES]
    for r in others:
        print(
            f"  (not fitted: {r['date']} {r['provider']}, {r['scope']}, "
            f"{r['duration_h']} h)"
        )


def rate(count, span):
    """A count over span years as a rate with its 95% interval."""
    low, high = poisson_interval(count)
    return f"{count} = {count / span:.2f}/yr [{low / span:.2f}, {high / span:.2f}]"


def print_rates(rows):
    span = years(WINDOW_START, WINDOW_END)
    google_span = years(GOOGLE_START, WINDOW_END)
    print()
    print(f"rates: rows / window [95% CI]; window {WINDOW_START}..{WINDOW_END} = {span:.2f} y")
    print(f"  (Google Cloud {GOOGLE_START}..{WINDOW_END} = {google_span:.2f} y)")
    for scope in EVENT_CLASSES:
        in_scope = [r for r in rows if r["scope"] == scope]
        parts = []
        for provider in BIG_THREE:
            n = sum(r["provider"] == provider for r in in_scope)
            provider_span = google_span if provider == "Google Cloud" else span
            parts.append(f"{provider} {rate(n, provider_span)}")
        pooled = sum(r["provider"] in BIG_THREE for r in in_scope)
        print(f"  {scope}: all providers {rate(len(in_scope), span)}")
        print(f"    {'; '.join(parts)}")
        provider_years = 2 * span + google_span
        print(
            f"    per provider, the three pooled ({provider_years:.2f} provider-years): "
            f"{rate(pooled, provider_years)}"
        )
    since_2019 = years(date(2019, 1, 1), WINDOW_END)
    recent = [
        r
        for r in rows
        if r["scope"] == "global control plane" and r["date"] >= "2019-01-01"
    ]
    print(
        f"  global control plane since 2019-01-01 ({since_2019:.2f} y): "
        f"{rate(len(recent), since_2019)}"
    )
    print_us_east_1(rows, span)


def print_us_east_1(rows, span):
    aws = [r for r in rows if r["provider"] == "AWS" and "us-east-1" in r["regions"]]
    region = [r for r in aws if r["scope"] == "single region"]
    zone = [r for r in aws if r["scope"] == "single AZ"]
    print(f"  AWS us-east-1 single region: {rate(len(region), span)}")
    print(f"    {', '.join(r['date'] for r in region)}")
    causes = Counter(r["cause_class"] for r in region).most_common()
    print(f"    causes: {', '.join(f'{c} {n}' for c, n in causes)}")
    low, high = poisson_interval(len(zone))
    print(f"  AWS us-east-1 single AZ: {rate(len(zone), span)}")
    print(f"    {', '.join(r['date'] for r in zone)}")
    print(
        f"    over its 6 zones: one per zone every {6 * span / len(zone):.1f} y "
        f"[{6 * span / high:.1f}, {6 * span / low:.1f}]"
    )


def print_sla_month():
    print()
    print("allowed downtime in a 730 h month:")
    for sla in (99.99, 99.95, 99.9, 99.0):
        hours = 730 * (1 - sla / 100)
        print(f"  {sla}%: {hours * 60:.1f} min ({hours:.2f} h)")


def main():
    rows = read_rows()
    print_counts(rows)
    print_fits(rows)
    print_rates(rows)
    print_sla_month()


if __name__ == "__main__":
    main()
