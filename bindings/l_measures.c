/* l_measures.c: the registry of the measure kinds' bindings, one line each
 * (sp_l_kind, l_spendsim.h; the core's kinds are in core/measures.c), and
 * the opening of their constructors. */
#include "l_spendsim.h"

extern const sp_l_kind sp_l_voucher_kind, sp_l_scrappage_kind, sp_l_purchase_subsidy_kind,
    sp_l_cash_transfer_kind, sp_l_plate_regime_kind, sp_l_plate_extra_kind, sp_l_promotion_kind,
    sp_l_night_economy_kind, sp_l_appliance_tradein_kind, sp_l_consumer_credit_kind,
    sp_l_used_car_export_kind, sp_l_community_outlets_kind;

const sp_l_kind *const sp_l_kinds[] = {
    &sp_l_voucher_kind,
    &sp_l_scrappage_kind,
    &sp_l_purchase_subsidy_kind,
    &sp_l_cash_transfer_kind,
    &sp_l_plate_regime_kind,
    &sp_l_plate_extra_kind,
    &sp_l_promotion_kind,
    &sp_l_night_economy_kind,
    &sp_l_appliance_tradein_kind,
    &sp_l_consumer_credit_kind,
    &sp_l_used_car_export_kind,
    &sp_l_community_outlets_kind,
    NULL,
};

void sp_l_open_measures(lua_State *L, int module)
{
    for (int k = 0; sp_l_kinds[k]; k++)
        sp_l_kinds[k]->open(L, module);
}
