# Hugging Face folders (safetensors, config.json) and llama2.c checkpoints.
precis_add_test(tst_safetensors SOURCES tst_safetensors.cpp hf_fixtures.h)
precis_add_test(tst_llama2c SOURCES tst_llama2c.cpp llama2c_fixtures.h)
precis_add_test(tst_safetensors_malformed SOURCES tst_safetensors_malformed.cpp hf_fixtures.h LABELS malformed)
precis_add_test(tst_llama2c_malformed SOURCES tst_llama2c_malformed.cpp llama2c_fixtures.h LABELS malformed)
