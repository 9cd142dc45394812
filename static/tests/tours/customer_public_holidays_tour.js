import { registry } from "@web/core/registry";

/** Choose the country of the public holidays and fill them in one click, without saving first. */
registry.category("web_tour.tours").add("customer_public_holidays_tour", {
    url: "/odoo/action-customer_relationship.res_config_settings_action",
    steps: () => [
        {
            content: "Choose China as the country of the public holidays",
            trigger: ".o_field_widget[name=public_holiday_country_id] input",
            run: "edit China",
        },
        {
            content: "Pick it in the dropdown",
            trigger:
                ".o_field_widget[name=public_holiday_country_id] .o-autocomplete--dropdown-item a:text(China)",
            run: "click",
        },
        {
            content: "Fill at once, the settings not saved yet",
            trigger: "button[name=action_fill_public_holidays]",
            run: "click",
        },
        {
            content: "Filled, with no save dialog in the way",
            trigger: ".o_notification:contains(Public holidays added)",
        },
        {
            content: "No dialog asks to save",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
