/* l_analysis.h: what the bindings of the analysis operations share
 * (internal to bindings/): sp.sweep (l_sweep.c), sp.solve (l_solve.c) and
 * sp.decompose (l_decompose.c).
 *
 * An operation evaluates an experiment at points. The experiment is either an
 * experiment value, whose names are model parameters (sp.params) or measure
 * keys "package/measure.key" (core/sweep.h), or a function point -> experiment
 * that builds it from the point's values (any names). Evaluations run in
 * protected mode, because the core's solvers call back into them: an error
 * inside comes back as a message that the operation raises with its own name
 * and the scenario line. */
#ifndef SP_L_ANALYSIS_H
#define SP_L_ANALYSIS_H

#include "l_spendsim.h"

/* A scalar result: result = { metric =, group =, package =, from =, to =,
 * diff =, unit = } (core/objective.h) or a function(res) -> number. */
typedef struct sp_l_objective {
    int function;                 /* 1: a Lua function (kept by the caller on the stack) */
    sp_objective o;
    char package[SP_NAME_MAX];    /* "" = the last package */
} sp_l_objective;

/* Reads the value at idx (a table or, when allow_function, a function) as a
 * scalar result; `what` names it in errors ("result"). Absent (nil): the
 * defaults (the change in total spending of the last package over the
 * horizon). Raises on bad input. */
void sp_l_read_objective(lua_State *L, int idx, const char *fn, const char *what,
                         int allow_function, sp_l_objective *out);

/* A point evaluator: the experiment (value or function) and its names. */
typedef struct sp_l_point {
    const char *fn;               /* the operation, for messages */
    int function;                 /* 1: experiment = function(point) */
    int k;
    char names[SP_SWEEP_MAX_NAMES][SP_OVERRIDE_NAME_MAX];
    sp_override ov[SP_SWEEP_MAX_NAMES]; /* experiment values: what each name sets */
    double x[SP_SWEEP_MAX_NAMES];  /* the point being evaluated */
    const sp_l_objective *obj;     /* NULL: no value wanted */
} sp_l_point;

/* Prepares pt for the experiment at exp (an experiment value or a function)
 * and the k names: for an experiment value each name must be a model
 * parameter or a measure key of it (raises otherwise, naming the name). */
void sp_l_point_setup(lua_State *L, int exp, const char *const *names, int k, const char *fn,
                      sp_l_point *pt);

/* Evaluates pt at pt->x in protected mode with the experiment at exp and, when
 * pt->obj is a function, that function at objfn: pushes the results handle and
 * the value (nil without an objective) and returns LUA_OK, or pushes the error
 * message and returns its status. */
int sp_l_point_eval(lua_State *L, sp_l_point *pt, int exp, int objfn);

/* The experiment definition of the experiment value at idx, with its
 * population and packages refreshed from the handles it keeps (raises if one
 * was closed). */
sp_experiment_def sp_l_experiment_def(lua_State *L, int idx, const char *fn);

/* The value of objective obj for the results handle at res (its function at
 * objfn when obj->function); raises on error. */
double sp_l_objective_eval(lua_State *L, const sp_l_objective *obj, int objfn, int res,
                           const char *fn);

/* Registration (l_spendsim.c). */
void sp_l_open_sweep(lua_State *L, int module);
void sp_l_open_solve(lua_State *L, int module);
void sp_l_open_decompose(lua_State *L, int module);

#define SP_L_SWEEP "spendsim.sweep"

#endif
