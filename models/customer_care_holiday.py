from odoo import api, fields, models


class CustomerCareHoliday(models.Model):
    """A public holiday as the holidays library knows it, whatever the year and the language: care
    rules pick Spring Festival or Mid-Autumn by it rather than by words in the leaves' names."""

    _name = "customer.care.holiday"
    _description = "Public Holiday"
    _order = "country_id, name"

    name = fields.Char(required=True, translate=True)
    country_id = fields.Many2one("res.country", required=True, ondelete="cascade")
    code = fields.Char(
        required=True,
        help="The holiday's name in the holidays library's own language for the country (春节 for China), "
        "without the marks of observed or estimated days.",
    )

    _country_code_unique = models.UniqueIndex("(country_id, code)", "A public holiday is known once per country.")

    @api.model
    def _ensure_identities(self, country, translations):
        """The identities of ``country`` for the codes of ``translations`` ({code: {lang: name}}),
        created when missing (with their name in every language given). Returns {code: record}."""
        identities = self.search([("country_id", "=", country.id), ("code", "in", list(translations))])
        by_code = {identity.code: identity for identity in identities}
        missing = [code for code in translations if code not in by_code]
        created = self.create(
            [
                {"name": translations[code].get("en_US") or code, "country_id": country.id, "code": code}
                for code in missing
            ]
        )
        for identity in created:
            identity.update_field_translations("name", translations[identity.code])
            by_code[identity.code] = identity
        return by_code
