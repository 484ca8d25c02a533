# Per-tensor measured damage of a compression (eval/unit_damage.h) and the option table's predicted-damage lookup.
precis_add_test(tst_unit_damage SOURCES tst_unit_damage.cpp LABELS eval)
