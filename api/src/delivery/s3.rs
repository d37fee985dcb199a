//! The letters feed on AWS: each batch file is one object in the letters bucket, written with
//! SSE-KMS under the customer-managed key named in the configuration (docs/adr/0016). The print
//! provider reads the bucket; the object is the only place a letter's second half exists.

use async_trait::async_trait;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;

use super::letters::{LetterBatch, LetterSink};
use crate::notifier::NotifyError;

/// Batch files as objects of an S3 bucket, encrypted with a customer-managed KMS key.
pub struct S3Letters {
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
    kms_key_id: String,
}

impl S3Letters {
    /// A feed into `bucket` under `prefix` (e.g. `letters/`), encrypted under `kms_key_id` (a key
    /// id, alias or ARN).
    pub fn new(client: aws_sdk_s3::Client, bucket: String, prefix: String, kms_key_id: String) -> S3Letters {
        S3Letters {
            client,
            bucket,
            prefix,
            kms_key_id,
        }
    }
}

#[async_trait]
impl LetterSink for S3Letters {
    async fn write_batch(&self, batch: &LetterBatch) -> Result<String, NotifyError> {
        let bytes = batch.to_csv()?;
        let key = format!("{}{}", self.prefix, batch.file_name());
        // One PutObject is all or nothing: S3 shows the object whole, or not at all. The batch id
        // in the name is random, so `If-None-Match: *` never refuses a batch of ours; it keeps a
        // replayed request from replacing an object the provider may already have read.
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(&key)
            .content_type("text/csv; charset=utf-8")
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&self.kms_key_id)
            .bucket_key_enabled(true)
            .if_none_match("*")
            .body(ByteStream::from(bytes))
            .send()
            .await
            // S3's errors name the bucket and the key, never the object's content.
            .map_err(|e| NotifyError::Letters(format!("PutObject failed: {}", DisplayErrorContext(&e))))?;
        Ok(format!("s3://{}/{key}", self.bucket))
    }
}
