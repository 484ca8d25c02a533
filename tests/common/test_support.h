// Helpers shared by the tests: where ../shared is, and skipping cases that need it.
#pragma once

#include <QtTest/QtTest>

#include <filesystem>
#include <string>

namespace precis::test {

// Absolute path of a file under ../shared (which may not exist on a fresh machine).
inline std::string sharedPath(const std::string& rel)
{
    return std::string(PRECIS_SHARED_DIR) + "/" + rel;
}

inline bool haveShared(const std::string& rel) { return std::filesystem::exists(sharedPath(rel)); }

// A fresh, empty scratch folder for one test function, under the build tree.
inline std::string scratchDir(const std::string& name)
{
    const std::string dir = std::string(PRECIS_BINARY_DIR) + "/test-scratch/" + name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace precis::test

// Skips the current test function when a ../shared file is missing.
#define PRECIS_REQUIRE_SHARED(rel)                                                              \
    do {                                                                                        \
        if (!precis::test::haveShared(rel))                                                     \
            QSKIP(qPrintable(QStringLiteral("reference data not found: %1 (needs ../shared beside the checkout)") \
                                 .arg(QString::fromStdString(precis::test::sharedPath(rel))))); \
    } while (0)
