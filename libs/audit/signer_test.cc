#include "libs/audit/signer.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/audit/tree_head.h"
#include "libs/base/status_matchers.h"  // NOLINT(build/include_order)

namespace collectonce::audit {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& contents, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
  }
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

// PEM of an OpenSSL key, optionally encrypted with a passphrase.
std::string PrivatePem(EVP_PKEY* key, const char* passphrase = nullptr) {
  BIO* bio = BIO_new(BIO_s_mem());
  int ok =
      passphrase == nullptr
          ? PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr)
          : PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), passphrase,
                                          static_cast<int>(strlen(passphrase)), nullptr, nullptr);
  EXPECT_EQ(ok, 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

class SignerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/signer_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

TEST_F(SignerTest, SignVerifyRoundTrip) {
  absl::StatusOr<Signer> signer = Signer::LoadOrCreate(Path("key.pem"), true);
  ASSERT_THAT(signer, IsOk());
  EXPECT_EQ(signer->PublicKeyRaw().size(), 32u);
  EXPECT_THAT(signer->PublicKeyPem(), StartsWith("-----BEGIN PUBLIC KEY-----\n"));
  for (const std::string& message :
       {std::string(), std::string("hello"), std::string(10000, 'x')}) {
    const std::string sig = signer->Sign(message);
    EXPECT_EQ(sig.size(), 64u);
    EXPECT_THAT(VerifySignature(signer->PublicKeyRaw(), message, sig), IsOk());
    // Ed25519 is deterministic.
    EXPECT_EQ(signer->Sign(message), sig);
  }
}

TEST_F(SignerTest, ModifiedMessageOrSignatureFails) {
  absl::StatusOr<Signer> signer = Signer::LoadOrCreate(Path("key.pem"), true);
  ASSERT_THAT(signer, IsOk());
  const std::string pub = signer->PublicKeyRaw();
  const std::string message = "tree head bytes";
  const std::string sig = signer->Sign(message);
  ASSERT_THAT(VerifySignature(pub, message, sig), IsOk());

  EXPECT_THAT(VerifySignature(pub, "tree head byteS", sig), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(VerifySignature(pub, message + "x", sig), StatusIs(absl::StatusCode::kDataLoss));
  for (size_t i = 0; i < sig.size(); i += 7) {
    std::string bad = sig;
    bad[i] ^= 0x10;
    EXPECT_THAT(VerifySignature(pub, message, bad), StatusIs(absl::StatusCode::kDataLoss)) << i;
  }
  EXPECT_THAT(VerifySignature(pub, message, sig.substr(0, 63)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("63 bytes")));
  EXPECT_THAT(VerifySignature(pub, message, sig + "x"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(VerifySignature(pub, message, ""), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(VerifySignature(pub.substr(1), message, sig),
              StatusIs(absl::StatusCode::kInvalidArgument));

  absl::StatusOr<Signer> other = Signer::LoadOrCreate(Path("other.pem"), true);
  ASSERT_THAT(other, IsOk());
  EXPECT_NE(other->PublicKeyRaw(), pub);
  EXPECT_THAT(VerifySignature(other->PublicKeyRaw(), message, sig),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(SignerTest, CreatedKeyFileIsPrivateAndReloads) {
  const std::string path = Path("key.pem");
  absl::StatusOr<Signer> created = Signer::LoadOrCreate(path, true);
  ASSERT_THAT(created, IsOk());

  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  const std::string pem = ReadFile(path);
  EXPECT_THAT(pem, StartsWith("-----BEGIN PRIVATE KEY-----\n"));

  // Only the key file is left: the temporary file was renamed, not copied.
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    names.push_back(e.path().filename().string());
  }
  EXPECT_THAT(names, ::testing::ElementsAre("key.pem"));

  for (bool create : {false, true}) {
    absl::StatusOr<Signer> loaded = Signer::LoadOrCreate(path, create);
    ASSERT_THAT(loaded, IsOk());
    EXPECT_EQ(loaded->PublicKeyRaw(), created->PublicKeyRaw());
    EXPECT_EQ(loaded->PublicKeyPem(), created->PublicKeyPem());
  }
  EXPECT_EQ(ReadFile(path), pem);  // Loading never rewrites the key.

  absl::StatusOr<Signer> from_pem = Signer::FromPrivateKeyPem(pem);
  ASSERT_THAT(from_pem, IsOk());
  EXPECT_EQ(from_pem->PublicKeyRaw(), created->PublicKeyRaw());
}

TEST_F(SignerTest, MissingKeyWithoutCreateIsNotFound) {
  EXPECT_THAT(Signer::LoadOrCreate(Path("absent.pem"), false),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(std::filesystem::exists(Path("absent.pem")));
  EXPECT_FALSE(Signer::LoadOrCreate(Path("no/such/dir/key.pem"), true).ok());
}

TEST_F(SignerTest, KeyReadableByOthersIsRefused) {
  const std::string path = Path("key.pem");
  ASSERT_THAT(Signer::LoadOrCreate(path, true), IsOk());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0606}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    char want[8];
    snprintf(want, sizeof(want), "%04o", static_cast<unsigned>(mode));
    EXPECT_THAT(Signer::LoadOrCreate(path, true),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(want)))
        << want;
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_THAT(Signer::LoadOrCreate(path, false), IsOk());
}

TEST_F(SignerTest, BadKeyFilesAreRejected) {
  WriteFile(Path("garbage.pem"), "not a key\n", 0600);
  EXPECT_THAT(Signer::LoadOrCreate(Path("garbage.pem"), true),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("garbage.pem")));

  EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(ec, nullptr);
  WriteFile(Path("ec.pem"), PrivatePem(ec), 0600);
  EVP_PKEY_free(ec);
  EXPECT_THAT(Signer::LoadOrCreate(Path("ec.pem"), false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Ed25519")));

  // Encrypted keys fail instead of prompting for a passphrase on the terminal.
  EVP_PKEY* ed = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ASSERT_NE(ed, nullptr);
  const std::string encrypted = PrivatePem(ed, "secret");
  EVP_PKEY_free(ed);
  EXPECT_THAT(encrypted, HasSubstr("ENCRYPTED"));
  EXPECT_THAT(Signer::FromPrivateKeyPem(encrypted), StatusIs(absl::StatusCode::kInvalidArgument));

  EXPECT_THAT(Signer::FromPrivateKeyPem(""), StatusIs(absl::StatusCode::kInvalidArgument));
  std::filesystem::create_directory(Path("dir.pem"));
  ASSERT_EQ(::chmod(Path("dir.pem").c_str(), 0700), 0);
  EXPECT_FALSE(Signer::LoadOrCreate(Path("dir.pem"), true).ok());
}

// RFC 8032 section 7.1, TEST 1: checks interoperability with other Ed25519 implementations.
TEST_F(SignerTest, Rfc8032TestVector) {
  const std::string seed =
      absl::HexStringToBytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  ASSERT_NE(key, nullptr);
  const std::string pem = PrivatePem(key);
  EVP_PKEY_free(key);
  absl::StatusOr<Signer> signer = Signer::FromPrivateKeyPem(pem);
  ASSERT_THAT(signer, IsOk());
  EXPECT_EQ(absl::BytesToHexString(signer->PublicKeyRaw()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const std::string sig = signer->Sign("");
  EXPECT_EQ(absl::BytesToHexString(sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
            "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_THAT(VerifySignature(signer->PublicKeyRaw(), "", sig), IsOk());
}

TEST_F(SignerTest, SignsTreeHeadsAndIsMovable) {
  absl::StatusOr<Signer> made = Signer::LoadOrCreate(Path("key.pem"), true);
  ASSERT_THAT(made, IsOk());
  Signer signer = std::move(made).value();
  Signer moved = std::move(signer);
  TreeHead head{42, Hash{}, 1700000000000000};
  const std::string input = SigningInput(head);
  const std::string sig = moved.Sign(input);
  EXPECT_THAT(VerifySignature(moved.PublicKeyRaw(), input, sig), IsOk());
  head.size = 43;
  EXPECT_THAT(VerifySignature(moved.PublicKeyRaw(), SigningInput(head), sig),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(SignerTest, ConcurrentSigning) {
  absl::StatusOr<Signer> signer = Signer::LoadOrCreate(Path("key.pem"), true);
  ASSERT_THAT(signer, IsOk());
  const Signer& s = *signer;
  std::vector<std::vector<std::string>> sigs(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&s, &sigs, t] {
      for (int i = 0; i < 200; ++i) sigs[t].push_back(s.Sign("message " + std::to_string(i)));
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 200; ++i) {
      EXPECT_THAT(VerifySignature(s.PublicKeyRaw(), "message " + std::to_string(i), sigs[t][i]),
                  IsOk());
    }
  }
}

}  // namespace
}  // namespace collectonce::audit
