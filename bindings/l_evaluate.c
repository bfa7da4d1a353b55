/* l_evaluate.c: an experiment evaluated at given parameter values (see
 * l_evaluate.h). */
#include "l_evaluate.h"

#include <string.h>

#include "l_args.h"

void sp_l_eval_experiment(lua_State *L, int idx, const char *fn, sp_experiment_def *def)
{
    idx = lua_absindex(L, idx);
    /* The experiment handle (l_experiment.c) is a full userdata whose first
     * member is its sp_experiment_def; user value 1 holds the population
     * handle, 2 the list of package handles (3 the macro path, kept alive by
     * the handle itself). */
    const sp_experiment_def *src = luaL_testudata(L, idx, SP_L_EXPERIMENT);
    if (!src)
        luaL_error(L, "%s: 'experiment' must be an experiment (sp.experiment{...}), got %s", fn,
                   sp_l_typename(L, idx));
    *def = *src;
    lua_getiuservalue(L, idx, 1);
    void **pop = luaL_testudata(L, -1, SP_L_POPULATION);
    if (!pop || !*pop)
        luaL_error(L, "%s: the experiment's population was closed", fn);
    def->population = *pop;
    lua_pop(L, 1);
    lua_getiuservalue(L, idx, 2);
    for (int k = 0; k < def->npackages; k++) {
        lua_geti(L, -1, k + 1);
        void **pkg = luaL_testudata(L, -1, SP_L_PACKAGE);
        if (!pkg || !*pkg)
            luaL_error(L, "%s: package %d of the experiment was closed", fn, k + 1);
        def->packages[k] = *pkg;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    def->progress = NULL;
    def->progress_ud = NULL;
}

int sp_l_eval_run(void *ud, const double *x, double *y, sp_err *err)
{
    sp_l_eval *e = ud;
    lua_State *L = e->L;
    sp_experiment_def d = e->def;
    int nd = 0;
    for (int k = 0; k < d.ndists; k++) { /* evaluated parameters are fixed, not drawn */
        int fixed = 0;
        for (int j = 0; j < e->nparams; j++)
            fixed |= strcmp(d.dists[k].name, e->param_names[j]) == 0;
        if (!fixed)
            d.dists[nd++] = d.dists[k];
    }
    d.ndists = nd;
    for (int j = 0; j < e->nparams; j++) {
        int rc = sp_experiment_set_param(&d, e->param_names[j], x[j], err); /* fixed: not drawn */
        if (rc != SP_OK)
            return rc;
    }
    int top = lua_gettop(L);
    if (!lua_checkstack(L, 8))
        return sp_err_set(err, SP_ENOMEM, "out of Lua stack space");
    sp_results **slot = sp_l_newresults(L);
    lua_pushvalue(L, e->exp_idx);
    lua_setiuservalue(L, -2, 1); /* as experiment:run does: the results name their experiment */
    *slot = sp_experiment_run(&d, err);
    e->evaluations++;
    if (!*slot) {
        lua_settop(L, top);
        return err && err->code ? err->code : SP_EINVAL;
    }
    int rc = SP_OK;
    for (int j = 0; j < e->nfns && rc == SP_OK; j++) {
        lua_geti(L, e->fns_idx, j + 1);
        lua_pushvalue(L, top + 1);
        if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
            const char *msg = lua_tostring(L, -1);
            rc = sp_err_set(err, SP_EINVAL, "%s '%s': %s", e->what, e->fn_names[j],
                            msg ? msg : "(error object is not a string)");
        } else if (lua_type(L, -1) != LUA_TNUMBER) {
            rc = sp_err_set(err, SP_EINVAL, "%s '%s': the function must return a number, got %s",
                            e->what, e->fn_names[j], sp_l_typename(L, -1));
        } else {
            y[j] = lua_tonumber(L, -1);
        }
        lua_pop(L, 1);
    }
    sp_results_free(*slot);
    *slot = NULL;
    lua_settop(L, top);
    return rc;
}

int sp_l_eval_write_table(lua_State *L, const char *path, int formats)
{
    formats = lua_absindex(L, formats);
    int t = lua_gettop(L);
    lua_getfield(L, t, "write");
    lua_pushvalue(L, t);
    lua_pushstring(L, path);
    if (lua_isnoneornil(L, formats)) {
        lua_createtable(L, 2, 0);
        lua_pushliteral(L, "csv");
        lua_rawseti(L, -2, 1);
        lua_pushliteral(L, "md");
        lua_rawseti(L, -2, 2);
    } else {
        lua_pushvalue(L, formats);
    }
    lua_call(L, 3, 2); /* argument errors raise, as from table:write */
    if (lua_toboolean(L, -2)) {
        lua_settop(L, t - 1);
        return 1;
    }
    lua_remove(L, t); /* the handle: nil and the message stay */
    return 0;
}
