from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools import file_open
from odoo.tools.convert import xml_import

# The record rules whose domains 19.0.3 changed: they compare the salesperson of the customer's
# account in the record's company (customer_account_user_id), not Odoo's salesperson of the partner.
CHANGED_RULES = {
    "security/customer_visit_security.xml": ["customer_visit_own_rule"],
    "security/customer_care_security.xml": ["customer_care_action_own_rule"],
    "security/customer_relationship_security.xml": ["customer_tier_history_own_rule"],
    "security/customer_report_security.xml": ["customer_retention_report_own_rule"],
}


def migrate(cr, version):
    """Record rules are noupdate data, as in Odoo's own modules: an upgrade leaves them as they
    are. Load the changed ones again from the XML, as written there (the other records of the
    files, a rule a company adapted among them, stay as they are)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    for filename, xmlids in CHANGED_RULES.items():
        with file_open(f"customer_relationship/{filename}", "rb") as file:
            root = etree.parse(file).getroot()
        data = etree.Element("odoo")
        for record in root.iter("record"):
            if record.get("id") in xmlids:
                data.append(record)
        xml_import(env, "customer_relationship", {}, mode="init", noupdate=True, xml_filename=filename).parse(data)
