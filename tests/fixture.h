/* fixture.h: the embedded Beijing population most unit tests run on.
 *
 * SP_TEST_POPULATION(households, seed) defines `pop` and cmocka's setup and
 * teardown: the population is built once per test (with setup/teardown
 * passed to cmocka_unit_test_setup_teardown or the group) and freed after. */
#ifndef SP_TEST_FIXTURE_H
#define SP_TEST_FIXTURE_H

#include "spendsim.h"

/* The embedded Beijing population of `households` sample households built
 * from `seed` (sp_beijing_build with the other keys at their defaults), or
 * NULL on failure. */
static inline sp_population *sp_test_beijing(size_t households, uint32_t seed)
{
    sp_beijing_def d = sp_beijing_def_default();
    d.households = households;
    d.seed = seed;
    return sp_beijing_build(&d, NULL);
}

#define SP_TEST_POPULATION(households, seed)                                                       \
    static sp_population *pop;                                                                     \
    static int setup(void **state)                                                                 \
    {                                                                                              \
        (void)state;                                                                               \
        pop = sp_test_beijing((households), (seed));                                               \
        return pop ? 0 : -1;                                                                       \
    }                                                                                              \
    static int teardown(void **state)                                                              \
    {                                                                                              \
        (void)state;                                                                               \
        sp_population_free(pop);                                                                   \
        return 0;                                                                                  \
    }

#endif
