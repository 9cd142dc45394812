"""Route planning benchmark (not a test).

Plans two weeks of visits for a salesperson with 300 due customers spread over six cities of the
Yangtze delta (a few kilometres apart within each city), 15 stops a day at most: the Plan Visits
wizard finds the due customers, groups them into days by area and orders each day with OR-Tools.
Target: under 10 s. Everything is rolled back.

    PYTHONPATH=/opt/odoo python bench/route_benchmark.py -c odoo.conf -d DATABASE
"""

import random
import time
from datetime import date, timedelta

import bench_common as bench

CITIES = [(31.2304, 121.4737), (31.2989, 120.5853), (30.2741, 120.1551), (32.0603, 118.7969), (29.8683, 121.5440)]
CITIES.append((31.4912, 120.3119))  # Wuxi
TARGET = 10.0


def main():
    args = bench.arguments(__doc__.splitlines()[0], customers=300, orders=None).parse_args()
    rng = random.Random(16)
    with bench.scratch_database(args, generate_orders=False) as (env, company):
        cr = env.cr
        user = env["res.users"].create(
            {
                "name": "Route bench salesperson",
                "login": "route_bench_sales",
                "tz": "Asia/Shanghai",
                "company_id": company.id,
                "company_ids": [(6, 0, company.ids)],
                "group_ids": [(4, env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        customers = env["res.partner"].create(
            [
                {
                    "name": f"Route bench customer {i}",
                    "is_company": True,
                    "user_id": user.id,
                    "partner_latitude": lat + rng.uniform(-0.15, 0.15),
                    "partner_longitude": lon + rng.uniform(-0.15, 0.15),
                }
                for i, (lat, lon) in enumerate(rng.choice(CITIES) for _ in range(args.customers))
            ]
        )
        env.flush_all()
        monday = date.today() + timedelta(days=7 - date.today().weekday())
        # Planned from the customers list (an open planned visit would be skipped: it is the visit to make).
        wizard_env = env(
            user=user.id,
            context={"allowed_company_ids": company.ids, "active_model": "res.partner", "active_ids": customers.ids},
        )
        start = time.perf_counter()
        wizard = wizard_env["customer.visit.plan"].create(
            {"date_from": monday, "date_to": monday + timedelta(days=13), "max_per_day": 15, "duration": 0.4}
        )
        due = len(wizard.partner_ids)
        wizard.action_preview()
        elapsed = time.perf_counter() - start
        lines = wizard.line_ids
        planned = lines.filtered("planned_start")
        days = len(set(planned.mapped("day")))
        km = sum(planned.mapped("distance_km"))
        print(f"due customers: {due}, planned: {len(planned)} over {days} days ({len(planned) / days:.1f} a day)")
        print(f"km: {km:.0f} ({km / days:.0f} a day), skipped: {len(lines) - len(planned)}")
        print(f"plan 2 weeks: {elapsed:.2f} s (target {TARGET} s, {elapsed / TARGET:.0%})")
        cr.rollback()


if __name__ == "__main__":
    main()
