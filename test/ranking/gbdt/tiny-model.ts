/**
 * A hand-written LightGBM text model whose predictions are worked out by hand in the tests:
 * tree 0: f0 <= 1.5 (missing NaN, default left) ? 1 : (f2 in {1, 3, 33} ? 10 : 100)
 * tree 1: f1 <= 0.5 (missing zero, default right) ? 0.25 : -0.5
 * tree 2: f0 <= -0.5 (missing none: NaN reads as 0) ? 0.001 : 0.002
 * tree 3: a single leaf, 0.125
 */
export const TINY_MODEL = `tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=binary sigmoid:2
feature_names=a b c
feature_infos=[0:5] [-3:1] -1:1:3:33

Tree=0
num_leaves=3
num_cat=1
split_feature=0 2
split_gain=10 5
threshold=1.5 0
decision_type=10 9
left_child=-1 -2
right_child=1 -3
leaf_value=1 10 100
leaf_weight=40 30 30
leaf_count=40 30 30
internal_value=0 0
internal_weight=100 60
internal_count=100 60
cat_boundaries=0 2
cat_threshold=10 2
is_linear=0
shrinkage=1


Tree=1
num_leaves=2
num_cat=0
split_feature=1
split_gain=3
threshold=0.5
decision_type=4
left_child=-1
right_child=-2
leaf_value=0.25 -0.5
leaf_weight=70 30
leaf_count=70 30
internal_value=0
internal_weight=100
internal_count=100
is_linear=0
shrinkage=0.1


Tree=2
num_leaves=2
num_cat=0
split_feature=0
split_gain=0
threshold=-0.5
decision_type=0
left_child=-1
right_child=-2
leaf_value=0.001 0.002
leaf_weight=50 50
leaf_count=50 50
internal_value=0
internal_weight=100
internal_count=100
is_linear=0
shrinkage=0.1


Tree=3
num_leaves=1
num_cat=0
split_feature=
split_gain=
threshold=
decision_type=
left_child=
right_child=
leaf_value=0.125
leaf_weight=
leaf_count=
internal_value=
internal_weight=
internal_count=
is_linear=0
shrinkage=1


end of trees

feature_importances:
a=1
b=1
c=1
`;

/** Rows (a, b, c) with their raw scores worked out by hand from the trees above. */
export const TINY_ROWS: Array<[number, number, number, number]> = [
  [1, 0.3, 0, 1 + 0.25 + 0.002 + 0.125],
  [Number.NaN, 0, 0, 1 - 0.5 + 0.002 + 0.125],
  [2, Number.NaN, 33, 10 - 0.5 + 0.002 + 0.125],
  [2, 1, 2, 100 - 0.5 + 0.002 + 0.125],
  [2, -3, -1, 100 + 0.25 + 0.002 + 0.125],
  [2, 1e-36, 3.7, 10 - 0.5 + 0.002 + 0.125],
  [2, 0.5, Number.NaN, 100 + 0.25 + 0.002 + 0.125],
  [2, 0.6, 64, 100 - 0.5 + 0.002 + 0.125],
  [-1, 0.6, 1, 1 - 0.5 + 0.001 + 0.125],
  [1.5, 0.6, 1, 1 - 0.5 + 0.002 + 0.125],
];
