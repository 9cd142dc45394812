"""Hold-out check of the repeat-buying models on the full CDNOW panel (not a test).

The panel (23,570 customers, every purchase from January 1997 to June 1998) ships with the
``lifetimes`` package (MIT) as ``lifetimes/datasets/CDNOW_master.txt``; get it with
``pip download lifetimes --no-deps -d /tmp/lt`` and unzip the wheel. Then:

    python bench/cdnow_holdout.py /tmp/lt/lifetimes/datasets/CDNOW_master.txt

As the addon does: purchases counted by day, the history cut after 39 weeks (30 September
1997), each model fitted on what came before, and its predictions for the next 39 weeks set
against what the customers did: the AUC of the expected orders for "ordered again", predicted
over actual orders, and the share of customers who ordered again per lifecycle label (the
chance of ordering again within the horizon below 0.5: at risk, below 0.2: dormant).
"""

import argparse
import datetime
import importlib.util
from pathlib import Path

import numpy as np
from scipy import stats

spec = importlib.util.spec_from_file_location(
    "repeat_buying", Path(__file__).parent.parent / "models" / "repeat_buying.py"
)
rb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rb)

START = datetime.date(1997, 1, 1)
CUT = (datetime.date(1997, 9, 30) - START).days
HORIZON = 273  # 39 weeks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("panel", help="CDNOW_master.txt")
    args = parser.parse_args()
    rows = np.loadtxt(args.panel, dtype=str, skiprows=1)
    ids = rows[:, 0].astype(int)
    days = np.array([(datetime.date(int(d[:4]), int(d[4:6]), int(d[6:])) - START).days for d in rows[:, 1]])
    customer, day = np.unique(np.stack([ids, days]), axis=1)  # one purchase per customer and day
    before = day <= CUT
    customers, index = np.unique(customer[before], return_inverse=True)
    first = np.full(len(customers), np.inf)
    np.minimum.at(first, index, day[before])
    last = np.zeros(len(customers))
    np.maximum.at(last, index, day[before])
    x = np.bincount(index, minlength=len(customers)) - 1.0
    after = (~before) & (day <= CUT + HORIZON)
    actual = np.bincount(np.searchsorted(customers, customer[after]), minlength=len(customers)).astype(float)
    t_x, age = last - first, CUT - first
    returned = actual > 0
    orders = int(actual.sum())
    print(f"{len(customers):,} customers, {orders:,} orders in the hold-out, {returned.mean():.1%} ordered again")
    for variant in (rb.BG_NBD, rb.MBG_NBD):
        params, _ll = rb.fit_nbd(x, t_x, age, variant)
        expected = rb.expected_purchases(params, HORIZON, x, t_x, age, variant)
        ranks = stats.rankdata(expected)
        positives, negatives = returned.sum(), (~returned).sum()
        auc = (ranks[returned].sum() - positives * (positives + 1) / 2) / (positives * negatives)
        chance = rb.probability_purchase_within(params, HORIZON, x, t_x, age, variant)
        labels = np.where(chance < 0.2, "dormant", np.where(chance < 0.5, "at_risk", "active"))
        rates = ", ".join(
            f"{label} {np.sum(labels == label):,} ({returned[labels == label].mean():.1%})"
            for label in ("active", "at_risk", "dormant")
        )
        print(
            f"{variant}: r={params[0]:.3f} alpha={params[1]:.2f} a={params[2]:.3f} b={params[3]:.3f}  AUC {auc:.3f}  "
            f"predicted/actual {expected.sum() / actual.sum():.3f}  ordered again: {rates}"
        )


if __name__ == "__main__":
    main()
