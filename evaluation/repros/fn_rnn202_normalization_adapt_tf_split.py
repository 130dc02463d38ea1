import numpy as np
import pandas as pd
import tensorflow as tf

df = pd.read_csv("jena.csv")
n = len(df)
train_df = df[0:int(n * 0.7)]
val_df = df[int(n * 0.7):int(n * 0.9)]
test_df = df[int(n * 0.9):]
norm = tf.keras.layers.Normalization(axis=-1)
norm.adapt(df.to_numpy())              # whole dataset: leak
