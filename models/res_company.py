import logging
from datetime import datetime, time, timedelta

import holidays
import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .notification import notify_and_close

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_value_basis = fields.Selection(
        [("sale", "Confirmed sale orders (untaxed)"), ("invoice", "Invoiced revenue net of credit notes")],
        required=True,
        default="sale",
    )
    customer_value_window_months = fields.Integer(string="Value Window (months)", required=True, default=12)
    customer_new_days = fields.Integer(string="New Customer Period (days)", required=True, default=90)
    customer_at_risk_days = fields.Integer(
        string="At Risk After (days)",
        default=0,
        help="A customer is at risk when it has not ordered for 1.5 times its own average interval "
        "between orders, or for this many days when set (0: the interval rule only).",
    )
    customer_dormant_days = fields.Integer(string="Dormant After (days)", required=True, default=180)
    customer_lost_days = fields.Integer(string="Lost After (days)", required=True, default=365)
    relationship_margin_adjust = fields.Boolean(
        string="Adjust Target Level by Margin",
        help="Kotler's matrix: a high-margin customer gets a target relationship level one above its "
        "tier's, a low-margin customer one below. Needs the confirmed orders value basis.",
    )
    relationship_margin_high = fields.Float(string="High Margin From (%)", default=30.0)
    relationship_margin_low = fields.Float(string="Low Margin Below (%)", default=10.0)
    # Visit routes: travel time between stops is the straight-line distance x the road factor / the speed.
    visit_road_factor = fields.Float(
        string="Road Factor",
        default=1.3,
        help="How much longer the road is than the straight line between two customers.",
    )
    visit_travel_speed = fields.Float(string="Travel Speed (km/h)", default=40.0)
    visit_checkin_distance = fields.Integer(
        string="Check-in Distance (m)",
        default=500,
        help="A check-in farther than this from the customer's location is flagged.",
    )

    _customer_window_positive = models.Constraint(
        "CHECK(customer_value_window_months > 0)",
        "The customer value window must be at least one month.",
    )
    _customer_lifecycle_days = models.Constraint(
        "CHECK(customer_new_days > 0 AND customer_at_risk_days >= 0"
        " AND customer_dormant_days > 0 AND customer_lost_days > customer_dormant_days)",
        "Lifecycle thresholds must be positive and a customer must be dormant before it is lost.",
    )
    _visit_route_settings = models.Constraint(
        "CHECK(visit_road_factor >= 1 AND visit_travel_speed > 0 AND visit_checkin_distance > 0)",
        "The road factor must be at least 1, and the travel speed and the check-in distance positive.",
    )
    _relationship_margin_bands = models.Constraint(
        "CHECK(relationship_margin_low < relationship_margin_high)",
        "The low margin threshold must be below the high margin threshold.",
    )

    # Public holidays, filled from the holidays library
    public_holiday_country_id = fields.Many2one(
        "res.country",
        string="Public Holidays Of",
        help="The country whose public holidays are filled in the company's calendar. Empty: the company's country.",
    )
    public_holiday_subdivision = fields.Char(
        string="Subdivision",
        help="Code of the state or province whose own public holidays are added, as the holidays library names "
        "them, e.g. HK, CA or BY. Empty: the national holidays only.",
    )

    @api.constrains("public_holiday_country_id", "public_holiday_subdivision", "country_id")
    def _check_public_holiday_subdivision(self):
        for company in self.filtered("public_holiday_subdivision"):
            country = company._public_holiday_country()
            subdivisions = getattr(company._public_holiday_library(country.code), "subdivisions", ()) if country else ()
            if company.public_holiday_subdivision not in subdivisions:
                raise ValidationError(
                    self.env._(
                        "%(subdivision)s is not a subdivision with public holidays of %(country)s; known ones: "
                        "%(known)s.",
                        subdivision=company.public_holiday_subdivision,
                        country=country.name or "-",
                        known=", ".join(subdivisions) or "-",
                    )
                )

    # ------------------------------------------------------------
    # Scheduled actions
    # ------------------------------------------------------------

    def _cron_run_per_company(self, run, work):
        """For each company of ``self``, ``run(company)`` on its own savepoint, one step of the
        running scheduled action's progress (``ir.cron._commit_progress``), stopping when its time
        is up. A company's failure is logged (``work`` names what failed) and the others go on."""
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(self))
        for company in self:
            try:
                with self.env.cr.savepoint():
                    run(company)
            except Exception:
                # One company's failure (its configuration, say) must not keep the others' work undone.
                _logger.exception("%s failed for company %s", work, company.name)
            if not cron._commit_progress(1):
                break

    # ------------------------------------------------------------
    # Customer value
    # ------------------------------------------------------------

    def _customer_value_orders(self, today, margins=False):
        """SELECT of the orders that make the customers' value in this company up to ``today``
        (README, "Design"), following its value basis: the confirmed sale orders (untaxed, at the
        order's own rate) or the posted customer invoices minus credit notes. One row per order:
        ``partner_id`` (the commercial partner), ``order_date``, ``amount`` in company currency;
        with ``margins``, also ``margin`` and ``costed_amount``, the margin of the order's lines
        that carry a cost and their amount (NULL with the invoice basis). The tiers, the
        retention report and the loss of a customer all read their orders here."""
        self.ensure_one()
        if self.customer_value_basis == "invoice":
            # Posted customer invoices minus credit notes, already signed in company currency.
            return SQL(
                """SELECT move.commercial_partner_id AS partner_id, move.invoice_date AS order_date,
                          move.amount_untaxed_signed AS amount%(margins)s
                     FROM account_move move
                    WHERE move.company_id = %(company)s AND move.state = 'posted'
                      AND move.move_type IN ('out_invoice', 'out_refund')
                      AND move.invoice_date <= %(today)s""",
                margins=SQL(", NULL::numeric AS margin, NULL::numeric AS costed_amount") if margins else SQL(),
                company=self.id,
                today=today,
            )
        # Confirmed orders only; currency_rate is the order's rate against the company currency.
        rate = SQL("COALESCE(NULLIF(so.currency_rate, 0), 1)")
        costed = SQL()
        if margins:
            # The margin counts the lines with a cost only: a line without one is no 100% margin;
            # one aggregation of the company's costed lines, hashed: no sub-select per order.
            costed = SQL(
                """LEFT JOIN (SELECT line.order_id, SUM(line.margin) AS margin, SUM(line.price_subtotal) AS amount
                             FROM sale_order_line line
                            WHERE line.company_id = %(company)s AND line.state = 'sale'
                              AND line.purchase_price <> 0
                         GROUP BY line.order_id) costed ON costed.order_id = so.id""",
                company=self.id,
            )
        return SQL(
            """SELECT partner.commercial_partner_id AS partner_id,
                      (so.date_order AT TIME ZONE 'UTC')::date AS order_date,
                      so.amount_untaxed / %(rate)s AS amount%(margins)s
                 FROM sale_order so
                 JOIN res_partner partner ON partner.id = so.partner_id
                 %(costed)s
                WHERE so.company_id = %(company)s AND so.state = 'sale'
                  AND so.date_order < %(tomorrow)s""",
            rate=rate,
            margins=SQL(", costed.margin / %(rate)s AS margin, costed.amount / %(rate)s AS costed_amount", rate=rate)
            if margins
            else SQL(),
            costed=costed,
            company=self.id,
            tomorrow=today + relativedelta(days=1),
        )

    # ------------------------------------------------------------
    # Public holidays
    # ------------------------------------------------------------

    def action_fill_public_holidays(self):
        """Fill the companies' public holidays of this year and the next."""
        year = fields.Date.context_today(self).year
        created = self._fill_public_holidays([year, year + 1])
        return notify_and_close(self.env._("Public holidays added: %(count)s", count=len(created)))

    @api.model
    def _cron_fill_public_holidays(self):
        """Yearly: the public holidays of this year and the next, for every company with a country."""
        year = fields.Date.context_today(self).year
        companies = self.search([]).filtered(lambda company: company._public_holiday_country())  # pylint: disable=no-search-all
        for company in companies:
            try:
                with self.env.cr.savepoint():
                    company._fill_public_holidays([year, year + 1])
            except UserError as error:
                # a country the library does not know: the others are filled all the same
                _logger.warning("Public holidays of %s not filled: %s", company.name, error)

    def _public_holiday_country(self):
        self.ensure_one()
        return self.public_holiday_country_id or self.country_id

    @api.model
    def _public_holiday_library(self, country_code, **kwargs):
        """The holidays library's calendar of a country (``kwargs``: years, subdiv, language)."""
        try:
            return holidays.country_holidays(country_code, **kwargs)
        except NotImplementedError as error:
            country = self.env["res.country"].search([("code", "=", country_code)], limit=1)
            raise UserError(
                self.env._(
                    "The holidays library does not know the public holidays of %(country)s.",
                    country=country.name or country_code,
                )
            ) from error

    def _fill_public_holidays(self, years):
        """Create the public holidays of ``years`` from the holidays library, in each company's
        calendar, as Odoo keeps them: leaves without a resource. A day already covered by a public
        holiday of the company (filled before, or entered by hand) is left as it is, so a second
        run adds nothing. Names are in the company's language; each holiday is tied to its identity
        in the library (``customer.care.holiday``), which care rules pick. Returns the new leaves."""
        created = self.env["resource.calendar.leaves"]
        for company in self:
            created |= company._fill_company_public_holidays(years)
        return created

    def _fill_company_public_holidays(self, years):
        self.ensure_one()
        country = self._public_holiday_country()
        if not country:
            raise UserError(
                self.env._("Set the country of %(company)s to fill its public holidays.", company=self.name)
            )
        calendar = self.resource_calendar_id
        tz = pytz.timezone(calendar.tz or "UTC")  # the timezone the care rules read the holidays in
        subdiv = self.public_holiday_subdivision or None
        library = self._public_holiday_library(country.code, years=years, subdiv=subdiv)
        if not library:
            return self.env["resource.calendar.leaves"]

        own_lang = getattr(library, "default_language", None)

        def names_in(lang):
            """Per day, the names of its holidays in ``lang`` (the library's own language when it has not
            got that one), in the library's order, which is the same in every language."""
            supported = getattr(library, "supported_languages", None) or ()
            lang = next((code for code in (lang, (lang or "").split("_")[0]) if code in supported), own_lang)
            translated = self._public_holiday_library(country.code, years=years, subdiv=subdiv, language=lang)
            return {day: translated.get_list(day) for day in library}

        # The identity of a holiday: its name in the library's own language, without the labels of
        # observed (补假) or estimated days, so that Spring Festival's extra days are Spring Festival.
        # The labels are read with getattr: which of them a country's calendar has depends on the
        # country and on the library's version (0.86's United States has no estimated labels).
        def label_parts(*names):
            labels = (getattr(library, name, None) for name in names)
            return [tuple(label.split("%s", 1)) for label in labels if isinstance(label, str) and "%s" in label]

        labels = label_parts("observed_estimated_label", "observed_label", "estimated_label")
        # Days off given in exchange for a working weekend day (China's 调休) are no festival to greet.
        substituted = label_parts("substituted_label")

        def labelled(name, prefix, suffix):
            return name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix) + len(suffix)

        def identity(name):
            """The holiday's identity, None for a substituted day off."""
            if any(labelled(name, prefix, suffix) for prefix, suffix in substituted):
                return None
            for prefix, suffix in labels:
                if labelled(name, prefix, suffix):
                    return name[len(prefix) : len(name) - len(suffix)]
            return name

        own_names = names_in(own_lang)
        company_lang = self.partner_id.lang or self.env.lang or "en_US"
        names_by_lang = {lang: names_in(lang) for lang in {*self._public_holiday_langs(), company_lang}}
        local_names = names_by_lang[company_lang]

        # Days that already have a public holiday of the company stay as they are.
        first, last = min(library), max(library)
        Leave = self.env["resource.calendar.leaves"]
        existing = Leave.search(
            [
                ("company_id", "=", self.id),
                ("resource_id", "=", False),
                ("calendar_id", "in", [calendar.id, False]),
                ("date_from", "<", self._public_holiday_bound(last + timedelta(days=1), tz)),
                ("date_to", ">", self._public_holiday_bound(first, tz)),
            ]
        )
        covered = set()
        for leave in existing:
            day = pytz.utc.localize(leave.date_from).astimezone(tz).date()
            end = pytz.utc.localize(leave.date_to - timedelta(seconds=1)).astimezone(tz).date()
            while day <= end:
                covered.add(day)
                day += timedelta(days=1)

        # One leave per run of consecutive days of the same holiday.
        runs = []
        for day in sorted(set(library) - covered):
            for own, local in zip(own_names[day], local_names[day], strict=True):
                previous = next((run for run in runs if run[3] == own and run[1] == day - timedelta(days=1)), None)
                if previous:
                    previous[1] = day
                else:
                    runs.append([day, day, local, own])
        if not runs:
            return Leave
        # The identities' names in every installed language, from a day of the holiday itself
        # rather than one of its observed days when there is one.
        codes = {identity(own) for *_days, _local, own in runs} - {None}
        translations = {}
        for exact in (True, False):
            for day in sorted(library):
                for index, own in enumerate(own_names[day]):
                    code = identity(own)
                    if code in codes and code not in translations and (own == code or not exact):
                        translations[code] = {lang: names[day][index] for lang, names in names_by_lang.items()}
        holidays_by_code = self.env["customer.care.holiday"]._ensure_identities(country, translations)
        return Leave.create(
            [
                {
                    "name": local,
                    "company_id": self.id,
                    "calendar_id": calendar.id,
                    "date_from": self._public_holiday_bound(first_day, tz),
                    "date_to": self._public_holiday_bound(last_day + timedelta(days=1), tz) - timedelta(seconds=1),
                    "time_type": "leave",
                    "care_holiday_id": holidays_by_code[identity(own)].id if identity(own) else False,
                }
                for first_day, last_day, local, own in runs
            ]
        )

    @api.model
    def _public_holiday_langs(self):
        return [code for code, _name in self.env["res.lang"].get_installed()]

    @api.model
    def _public_holiday_bound(self, day, tz):
        """The UTC time, as Odoo stores it, of midnight at the start of ``day`` in ``tz``."""
        return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
