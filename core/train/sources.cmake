list(APPEND PRECIS_CORE_SOURCES
  train/parameters.cpp
)
list(APPEND PRECIS_CORE_SOURCES
  train/adamw.cpp
  train/data_loader.cpp
  train/tokenizer_training.cpp
  train/trainer.cpp
  train/trainer_checkpoint.cpp
)
