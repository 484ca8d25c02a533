// The bundled sample model (resources/sample, trained, in the repository) and
// calibration windows of its own calib.txt, for tests that need real weights and
// real activations without ../shared.
#pragma once

#include "formats/model_loader.h"
#include "sensitivity/calibration_data.h"
#include "tokenizer/tokenizer.h"
#include "train/parameters.h"

#include <QtTest/QtTest>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace precis::test {

struct SampleCalibration {
    std::shared_ptr<const Model> model;
    Parameters params;
    sensitivity::CalibrationSet set;
};

// N windows of T tokens (seed 1); a failure to load is fatal (the files are in the repository).
inline SampleCalibration sampleCalibration(int N, int T)
{
    const std::string dir = std::string(PRECIS_SOURCE_DIR) + "/resources/sample/";
    auto model = loadModel(dir + "model.gguf");
    if (!model.ok()) qFatal("%s", model.error().message.c_str());
    auto params = parametersFromModel(**model);
    if (!params.ok()) qFatal("%s", params.error().message.c_str());
    auto tok = Tokenizer::create((*model)->tokenizer);
    if (!tok.ok()) qFatal("%s", tok.error().message.c_str());
    std::ifstream f(dir + "calib.txt");
    std::stringstream ss;
    ss << f.rdbuf();
    auto set = sensitivity::calibrationFromText(ss.str(), "calib.txt", **tok, (*model)->config, N, T, 1);
    if (!set.ok()) qFatal("%s", set.error().message.c_str());
    return {std::move(model).value(), std::move(params).value(), std::move(set).value()};
}

} // namespace precis::test
