/**
 * The steps of a click on one of the app's top menus, then on one of its items, as a user opens
 * a view (the menus and items by their XML ids in customer_relationship).
 */
export function menuSteps(menu, item) {
    return [
        {
            content: `Open the menu ${menu}`,
            trigger: `.o_main_navbar [data-menu-xmlid='customer_relationship.${menu}']`,
            run: "click",
        },
        {
            content: `Open ${item}`,
            trigger: `.dropdown-item[data-menu-xmlid='customer_relationship.${item}']`,
            run: "click",
        },
    ];
}
