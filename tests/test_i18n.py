from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = Path(__file__).parent.parent / "i18n"
SAME_IN_CHINESE = "same in Chinese"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_pot_is_current_and_chinese_is_complete(self):
        """Every translatable string of the addon is in the .pot (run `make pot` after changing
        strings) and has a Chinese translation."""
        code_terms = {line[4] for line in TranslationModuleReader(self.env.cr, ["customer_relationship"]) if line[4]}
        pot_terms = {entry.msgid for entry in polib.pofile(str(I18N / "customer_relationship.pot"))}
        self.assertEqual(code_terms - pot_terms, set(), "strings missing from the .pot: run `make pot`")
        chinese = polib.pofile(str(I18N / "zh_CN.po"))
        # OCA's po format leaves msgstr empty where it would repeat msgid (AUC, ID): a translator's
        # comment says so, and only those entries may stay empty.
        untranslated = {
            e.msgid for e in chinese if (not e.msgstr and SAME_IN_CHINESE not in e.tcomment) or "fuzzy" in e.flags
        } & code_terms
        self.assertEqual(untranslated, set(), "strings without a Chinese translation in i18n/zh_CN.po")
        self.assertEqual(code_terms - {e.msgid for e in chinese}, set(), "strings missing from i18n/zh_CN.po")

    def test_chinese_users_see_chinese_tiers(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env.ref("base.module_customer_relationship")._update_translations(["zh_CN"])
        tier = self.env.ref("customer_relationship.customer_tier_platinum").with_context(lang="zh_CN")
        self.assertEqual(tier.name, "铂金")
        field = self.env["ir.model.fields"]._get("res.partner", "customer_lifecycle").with_context(lang="zh_CN")
        self.assertEqual(field.field_description, "生命周期")
