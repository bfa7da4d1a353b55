/* l_evaluate.h: an experiment evaluated at given parameter values, for the
 * operations that run it many times (sp.calibrate, sp.sensitivity).
 *
 * One evaluation copies the experiment's definition, sets the named
 * parameters to the given values (a parameter that the experiment draws per
 * replicate is then fixed: its distribution is dropped for that run), runs it
 * with the experiment's own seed (common random numbers: the same draws every
 * evaluation), and calls each Lua function of a list with the results; each
 * must return a number. The results handle is closed after the functions
 * returned, so the memory of a long analysis stays that of one run (a
 * function that keeps `res` finds it closed later). */
#ifndef SP_L_EVALUATE_H
#define SP_L_EVALUATE_H

#include <lauxlib.h>
#include <lua.h>

#include "l_spendsim.h"

#define SP_L_EVAL_MAX 32
#define SP_L_EVAL_NAME 48

typedef struct sp_l_eval {
    lua_State *L;
    sp_experiment_def def;      /* the experiment's definition, pointers refreshed */
    int exp_idx;                /* absolute stack index of the experiment handle */
    int fns_idx;                /* absolute stack index of the list of functions */
    int nfns;
    char fn_names[SP_L_EVAL_MAX][SP_L_EVAL_NAME];
    const char *what;           /* "target" or "output", for messages */
    int nparams;
    char param_names[SP_L_EVAL_MAX][SP_L_EVAL_NAME];
    int evaluations;            /* runs made so far */
} sp_l_eval;

/* The definition of the experiment handle at idx, its population and package
 * pointers refreshed from the handle (raises "<fn>: 'experiment' must be an
 * experiment, got <type>" or names the closed population or package). */
void sp_l_eval_experiment(lua_State *L, int idx, const char *fn, sp_experiment_def *def);

/* The core callback (sp_calib_fn, sp_sens_fn): runs the experiment at x
 * (nparams values) and fills y (nfns values). An error of the run or of a
 * function comes back as a status with err naming the target or output. */
int sp_l_eval_run(void *ud, const double *x, double *y, sp_err *err);

/* Registration (called from luaopen_spendsim): sp.calibrate (l_calibrate.c)
 * and sp.sensitivity (l_sensitivity.c) with their result types. */
void sp_l_open_calibrate(lua_State *L, int module);
void sp_l_open_sensitivity(lua_State *L, int module);

/* Writes the table handle on top of the stack with its write method to
 * path (as given by the scenario) and formats (the value at index
 * `formats`, or {"csv", "md"} when that is none or nil); pops the handle.
 * Returns 1 on success; else pushes nil and a message and returns 0. */
int sp_l_eval_write_table(lua_State *L, const char *path, int formats);

#endif
